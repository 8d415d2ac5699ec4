/**
 * Byte-level helpers for the TREC parsers. Run files reach millions of lines, so the parsers read the file as one
 * Buffer and walk its bytes instead of splitting strings or running a regular expression per line.
 */

export const SPACE = 0x20;
export const TAB = 0x09;
export const LINE_FEED = 0x0a;
export const HASH = 0x23;

/** 32-bit FNV-1a over bytes[start, end): a cheap key for looking document ids up without decoding them. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < end; index++) {
    hash ^= bytes[index] as number;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** Byte-order comparison of two ranges, as C's strcmp on NUL-free strings. */
export function compareByteRanges(
  bytes: Uint8Array,
  startA: number,
  endA: number,
  startB: number,
  endB: number,
): number {
  const lengthA = endA - startA;
  const lengthB = endB - startB;
  const length = Math.min(lengthA, lengthB);
  for (let offset = 0; offset < length; offset++) {
    const difference = (bytes[startA + offset] as number) - (bytes[startB + offset] as number);
    if (difference !== 0) return difference;
  }
  return lengthA - lengthB;
}

/** True when bytes[start, end) equal `other` exactly. */
export function rangeEquals(bytes: Uint8Array, start: number, end: number, other: Uint8Array): boolean {
  if (end - start !== other.length) return false;
  for (let offset = 0; offset < other.length; offset++) {
    if (bytes[start + offset] !== other[offset]) return false;
  }
  return true;
}

// Powers of ten that are exact doubles (10^0 .. 10^22).
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, exponent) => 10 ** exponent);
const DECIMAL_SYNTAX = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a decimal number from bytes[start, end) to the double that C's strtod (trec_eval's atof) returns, or
 * NaN if the text is not a finite decimal number.
 *
 * Fast path (Clinger): with at most 15 digits the digits form an exact integer below 2^53, and dividing it by an
 * exact power of ten is one correctly rounded IEEE operation, so the result equals strtod's correctly rounded
 * value. Anything longer or with an exponent goes through Number(), also correctly rounded. Equal text always
 * gives the equal double, which keeps score ties exactly as trec_eval sees them.
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  let index = start;
  let negative = false;
  const sign = bytes[index];
  if (sign === 0x2d || sign === 0x2b) {
    negative = sign === 0x2d;
    index++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  let dot = false;
  for (; index < end; index++) {
    const byte = bytes[index] as number;
    if (byte >= 0x30 && byte <= 0x39) {
      mantissa = mantissa * 10 + (byte - 0x30);
      digits++;
      if (dot) fractionDigits++;
    } else if (byte === 0x2e && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (index === end && digits > 0 && digits <= 15) {
    const value = mantissa / (EXACT_POWERS_OF_TEN[fractionDigits] as number);
    return negative ? -value : value;
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1");
  if (!DECIMAL_SYNTAX.test(text)) return Number.NaN;
  const value = Number(text);
  return Number.isFinite(value) ? value : Number.NaN;
}

/** The text of the line containing `offset`, shortened for an error message. */
export function lineTextAt(bytes: Uint8Array, offset: number): string {
  let start = offset;
  while (start > 0 && bytes[start - 1] !== LINE_FEED) start--;
  let end = offset;
  while (end < bytes.length && bytes[end] !== LINE_FEED) end++;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start)
    .toString("utf8")
    .replace(/\r$/, "");
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
