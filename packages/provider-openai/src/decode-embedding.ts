/**
 * The two shapes of `data[].embedding`: a JSON array of numbers (`encoding_format: float`) or a base64
 * string of little-endian float32 values (`encoding_format: base64`, what the official SDKs ask for:
 * a quarter of the bytes of decimal text, and the exact float32 values the model produced).
 */
import { numberVector, UnexpectedResponseError } from "@embedeval/provider-contract";

/** Base64 of little-endian float32 values to a Float32Array, read byte order explicitly (not the host's). */
export function decodeBase64Float32(encoded: string, where: string): Float32Array {
  const bytes = Buffer.from(encoded, "base64");
  if (bytes.length === 0 || bytes.length % 4 !== 0) {
    throw new UnexpectedResponseError(
      `${where} is a base64 string of ${bytes.length} bytes, not a whole number of float32 values.`,
      "shape",
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vector = new Float32Array(bytes.length / 4);
  for (let index = 0; index < vector.length; index++) {
    const value = view.getFloat32(index * 4, true);
    if (!Number.isFinite(value)) {
      throw new UnexpectedResponseError(`${where}[${index}] is ${value}, not a finite number.`, "shape");
    }
    vector[index] = value;
  }
  return vector;
}

/** Either shape, checked against `dimensions` when it is known. */
export function decodeEmbedding(value: unknown, dimensions: number | undefined, where: string): Float32Array {
  if (typeof value === "string") {
    const vector = decodeBase64Float32(value, where);
    if (dimensions !== undefined && vector.length !== dimensions) {
      throw new UnexpectedResponseError(
        `${where} has ${vector.length} dimensions; expected ${dimensions}.`,
        "dimension",
      );
    }
    return vector;
  }
  return numberVector(value, dimensions, where);
}
