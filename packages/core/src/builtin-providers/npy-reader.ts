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
  /** All values, row-major (float64 files are narrowed to float32, the precision search uses). */
  data: Float32Array;
  /** One view per row into `data`: no row is copied, so the rows stay one contiguous block. */
  vectors: Float32Array[];
}

/** True on little-endian hosts (every platform Node runs on in practice), where '<f4' is read as is. */
const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** What a .npy header says: enough to know the array's shape without reading its values. */
export interface NpyHeader {
  rows: number;
  columns: number;
  /** 4 for '<f4', 8 for '<f8'. */
  elementSize: 4 | 8;
  fortranOrder: boolean;
  /** Byte offset of the first value. */
  dataStart: number;
}

/**
 * Parses the header from the file's first bytes (`bytes` may be just a prefix: 64 KiB holds any header
 * numpy writes) and, given `fileBytes`, checks that the data has exactly the size the shape needs.
 */
export function parseNpyHeader(bytes: Uint8Array, file: string, fileBytes?: number): NpyHeader {
  const fail = (message: string, hint?: string): never => {
    throw new DatasetError(message, {
      file,
      hint: hint ?? "Save the array with numpy.save(path, array.astype('float32')) as a 2-D array.",
    });
  };
  const totalBytes = fileBytes ?? bytes.length;
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
  let elementSize: 4 | 8;
  if (descr === "<f4") elementSize = 4;
  else if (descr === "<f8") elementSize = 8;
  else {
    return fail(
      `Unsupported dtype '${descr}': expected little-endian float32 ('<f4') or float64 ('<f8').`,
      "Convert with array.astype('<f4') before numpy.save.",
    );
  }
  const expectedBytes = rows * columns * elementSize;
  if (totalBytes - dataStart !== expectedBytes) {
    fail(
      `The data holds ${totalBytes - dataStart} bytes, but shape (${rows}, ${columns}) of ${descr} needs ${expectedBytes}.`,
    );
  }
  return { rows, columns, elementSize, fortranOrder: fortranOrder === "True", dataStart };
}

export function parseNpy(bytes: Uint8Array, file: string): NpyMatrix {
  const { rows, columns, elementSize, fortranOrder, dataStart } = parseNpyHeader(bytes, file);
  const count = rows * columns;
  const values = readValues(bytes, dataStart, count, elementSize);
  // Fortran order stores a column contiguously: transpose once into C order (into a new array: the
  // values may be a view of the caller's bytes, which must stay as read).
  const data = fortranOrder ? transpose(values, rows, columns) : values;
  const vectors: Float32Array[] = new Array(rows);
  for (let row = 0; row < rows; row += 1) vectors[row] = data.subarray(row * columns, (row + 1) * columns);
  return { rows, columns, data, vectors };
}

function transpose(columnMajor: Float32Array, rows: number, columns: number): Float32Array {
  const rowMajor = new Float32Array(rows * columns);
  for (let row = 0; row < rows; row += 1) {
    for (let column = 0; column < columns; column += 1) {
      rowMajor[row * columns + column] = columnMajor[column * rows + row] as number;
    }
  }
  return rowMajor;
}

/**
 * The values as float32, at the speed of a memory copy: float32 at a 4-byte aligned offset (the usual
 * case: numpy pads the header to 64 bytes and a whole-file read starts a fresh buffer) is viewed
 * in place, with no copy at all.
 */
function readValues(bytes: Uint8Array, dataStart: number, count: number, elementSize: number): Float32Array {
  const offset = bytes.byteOffset + dataStart;
  if (elementSize === 4 && littleEndianHost) {
    if (offset % 4 === 0) return new Float32Array(bytes.buffer, offset, count);
    const copy = new Float32Array(count);
    new Uint8Array(copy.buffer).set(bytes.subarray(dataStart, dataStart + count * 4));
    return copy;
  }
  const view = new DataView(bytes.buffer, offset, count * elementSize);
  const values = new Float32Array(count);
  for (let index = 0; index < count; index += 1) {
    values[index] = elementSize === 4 ? view.getFloat32(index * 4, true) : view.getFloat64(index * 8, true);
  }
  return values;
}
