/**
 * Lucene stores a document's length (its number of terms) in one byte, SmallFloat.intToByte4, and
 * BM25Similarity scores with the decoded, rounded-down length. Lengths below 24 survive exactly;
 * longer ones keep 4 significant bits (100 becomes 96). Anserini's BM25 numbers include this
 * rounding, so the bm25 retriever applies it by default to rank as Anserini does.
 * Port of org.apache.lucene.util.SmallFloat (Lucene 8+):
 * https://github.com/apache/lucene/blob/main/lucene/core/src/java/org/apache/lucene/util/SmallFloat.java
 */

/** Encodes a non-negative integer with 3 explicit mantissa bits and a 5-bit shift (subnormal below 8). */
function longToInt4(value: number): number {
  const bits = value === 0 ? 0 : 32 - Math.clz32(value);
  if (bits < 4) return value;
  const shift = bits - 4;
  return ((value >>> shift) & 0x07) | ((shift + 1) << 3);
}

function int4ToLong(encoded: number): number {
  const bits = encoded & 0x07;
  const shift = (encoded >>> 3) - 1;
  return shift === -1 ? bits : (bits | 0x08) * 2 ** shift;
}

/** Byte values below this stand for themselves: 255 - longToInt4(2^31 - 1) = 24. */
const freeValues = 255 - longToInt4(0x7fffffff);

export function intToByte4(value: number): number {
  return value < freeValues ? value : freeValues + longToInt4(value - freeValues);
}

export function byte4ToInt(byte: number): number {
  return byte < freeValues ? byte : freeValues + int4ToLong(byte - freeValues);
}

/** The document length Lucene's BM25 uses for a document of `length` terms. */
export function luceneDocumentLength(length: number): number {
  return byte4ToInt(intToByte4(length));
}
