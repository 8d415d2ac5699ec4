/**
 * True when both arrays are the same values in memory: a document source that wrote its rows straight
 * into the search's buffer (ChunkOptions.target), so there is nothing to copy.
 */
export function sameValues(left: Float32Array, right: Float32Array): boolean {
  return left.buffer === right.buffer && left.byteOffset === right.byteOffset && left.length === right.length;
}
