/**
 * Compares two document ids the way trec_eval's `strcmp` does on their UTF-8 bytes, which is Unicode code point
 * order. JavaScript's `<` compares UTF-16 code units instead, which disagrees for characters above U+FFFF
 * against U+E000..U+FFFF; the remap below moves surrogates above that range so code units compare as code points.
 * Returns a negative number, zero or a positive number.
 */
export function compareDocumentIds(left: string, right: string): number {
  if (left === right) return 0;
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    let a = left.charCodeAt(index);
    let b = right.charCodeAt(index);
    if (a === b) continue;
    if (a >= 0xd800 && b >= 0xd800) {
      a = a <= 0xdfff ? a + 0x2000 : a - 0x800;
      b = b <= 0xdfff ? b + 0x2000 : b - 0x800;
    }
    return a - b;
  }
  return left.length - right.length;
}
