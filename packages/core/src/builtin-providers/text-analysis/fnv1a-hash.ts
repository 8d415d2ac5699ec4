/**
 * 32-bit FNV-1a over the UTF-8 bytes of a string (http://www.isthe.com/chongo/tech/comp/fnv/).
 * Chosen for feature hashing because it is tiny, fast and gives the same bucket on every machine
 * and in every language, so hashed vectors are reproducible outside embedeval.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    if (codePoint < 0x80) {
      hash = mix(hash, codePoint);
    } else if (codePoint < 0x800) {
      hash = mix(hash, 0xc0 | (codePoint >> 6));
      hash = mix(hash, 0x80 | (codePoint & 0x3f));
    } else if (codePoint < 0x10000) {
      hash = mix(hash, 0xe0 | (codePoint >> 12));
      hash = mix(hash, 0x80 | ((codePoint >> 6) & 0x3f));
      hash = mix(hash, 0x80 | (codePoint & 0x3f));
    } else {
      hash = mix(hash, 0xf0 | (codePoint >> 18));
      hash = mix(hash, 0x80 | ((codePoint >> 12) & 0x3f));
      hash = mix(hash, 0x80 | ((codePoint >> 6) & 0x3f));
      hash = mix(hash, 0x80 | (codePoint & 0x3f));
    }
  }
  return hash >>> 0;
}

function mix(hash: number, byte: number): number {
  // XOR the byte in, then multiply by the 32-bit FNV prime 16777619 modulo 2^32.
  return Math.imul(hash ^ byte, 0x01000193);
}
