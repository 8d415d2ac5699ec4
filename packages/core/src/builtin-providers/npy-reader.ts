/**
 * Reads a 2-D float32 or float64 array from NumPy's .npy format
 * (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html): the magic "\x93NUMPY",
 * a version (1.0: 2-byte header length; 2.0 and 3.0: 4-byte), then an ASCII (3.0: UTF-8) Python
 * dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (3, 768), }, padded so
 * the data starts on a 64-byte boundary, then the raw little-endian values.
 */
import { DatasetError } from "@embedeval/provider-contract";

export interface NpyMatrix {
  rows: number;
  columns: number;
  /** One Float32Array per row (float64 files are narrowed to float32, the precision search uses). */
  vectors: Float32Array[];
}

const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export function parseNpy(bytes: Uint8Array, file: string): NpyMatrix {
  const fail = (message: string, hint?: string): never => {
    throw new DatasetError(message, {
      file,
      hint: hint ?? "Save the array with numpy.save(path, array.astype('float32')) as a 2-D array.",
    });
  };
  if (bytes.length < 10 || magic.some((byte, index) => bytes[index] !== byte)) {
    fail("Not a .npy file: the magic string \\x93NUMPY is missing.");
  }
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail("Truncated .npy header.");
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    return fail(`Unsupported .npy format version ${major}.${bytes[7]}.`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) fail("Truncated .npy header.");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(headerStart, dataStart),
  );

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortranOrder = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortranOrder === undefined || shapeText === undefined) {
    return fail(`Malformed .npy header: ${header.trim()}`);
  }
  const shape = shapeText
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map(Number);
  if (shape.length !== 2 || shape.some((size) => !Number.isInteger(size) || size < 0)) {
    return fail(`Expected a 2-D array (texts x dimensions), got shape (${shapeText}).`);
  }
  const [rows, columns] = shape as [number, number];
  let elementSize: number;
  if (descr === "<f4") elementSize = 4;
  else if (descr === "<f8") elementSize = 8;
  else {
    return fail(
      `Unsupported dtype '${descr}': expected little-endian float32 ('<f4') or float64 ('<f8').`,
      "Convert with array.astype('<f4') before numpy.save.",
    );
  }
  const expectedBytes = rows * columns * elementSize;
  if (bytes.length - dataStart !== expectedBytes) {
    fail(
      `The data holds ${bytes.length - dataStart} bytes, but shape (${rows}, ${columns}) of ${descr} needs ${expectedBytes}.`,
    );
  }
  const read = (index: number): number =>
    elementSize === 4
      ? view.getFloat32(dataStart + index * 4, true)
      : view.getFloat64(dataStart + index * 8, true);
  const vectors: Float32Array[] = [];
  for (let row = 0; row < rows; row += 1) {
    const vector = new Float32Array(columns);
    for (let column = 0; column < columns; column += 1) {
      // C order stores a row contiguously; Fortran order stores a column contiguously.
      vector[column] = read(fortranOrder === "True" ? column * rows + row : row * columns + column);
    }
    vectors.push(vector);
  }
  return { rows, columns, vectors };
}
