/**
 * The portable kernel again, in WebAssembly SIMD: the same float32 operations in the same order as
 * `dotProduct` (similarity-kernel.ts), four lanes at a time, so every score is bit-identical to it
 * (the tests compare them) and many times faster than the JavaScript loop. WebAssembly is portable
 * (no native dependency); where SIMD is unavailable the search uses the JavaScript kernel.
 *
 * The module is assembled here from its instructions rather than shipped as a binary, so it can be
 * read and reviewed. Encodings: https://webassembly.github.io/spec/core/binary/instructions.html
 * (SIMD opcodes are 0xFD followed by a LEB128 index).
 *
 * Exports, all addresses in bytes into the imported memory, vectors float32 row-major:
 *   scoreRows(query, documents, dimension, firstRow, rowCount, output): output[r] = dot(query, row firstRow + r)
 *   scoreList(query, documents, dimension, rowList, count, output):     output[j] = dot(query, row rowList[j])
 *   normalise(documents, rows, dimension) -> r: divides each row in place by its norm, exactly as
 *     `normaliseRows` (similarity-kernel.ts) does; returns the first row holding NaN or ±∞, or -1.
 *   gather(values, count, cut, rows) -> n: writes to rows[0..n) every i < count with values[i] >= cut,
 *     in order; returns -1 if a value is NaN (sixteen values at a time, skipping runs below the cut).
 * where dot is exactly `dotProduct` (see its comment for the order of operations).
 */

const i32 = 0x7f;
const f64 = 0x7c;
const v128 = 0x7b;
const f32 = 0x7d;

// Core opcodes.
const block = [0x02, 0x40];
const loop = [0x03, 0x40];
const end = 0x0b;
const br = 0x0c;
const brIf = 0x0d;
const call = 0x10;
const localGet = 0x20;
const localSet = 0x21;
const i32Load = 0x28;
const i32Store = 0x36;
const ifVoid = [0x04, 0x40];
const returnOp = 0x0f;
const f32Ne = 0x5c;
const f32Ge = 0x60;
const f32Load = 0x2a;
const f32Store = 0x38;
const i32Const = 0x41;
const i32GeU = 0x4f;
const i32Add = 0x6a;
const i32Mul = 0x6c;
const i32And = 0x71;
const i32Shl = 0x74;
const f32Add = 0x92;
const f32Mul = 0x94;
const f64Add = 0xa0;
const f64Mul = 0xa2;
const f32DemoteF64 = 0xb6;
const f64PromoteF32 = 0xbb;
// SIMD opcodes (after the 0xFD prefix).
const simd = 0xfd;
const v128Load64Zero = 0x5d;
const f64x2PromoteLowF32x4 = 0x5f;
const f64x2ExtractLane = 0x21;
const f64x2Add = 0xf0;
const f64x2Mul = 0xf2;
const v128Load = 0x00;
const f32x4Splat = 0x13;
const v128And = 0x4e;
const f32x4Lt = 0x43;
const i32x4AllTrue = 0xa3;
const i32Or = 0x72;
const v128Const = 0x0c;
const v128Store = 0x0b;
const f32x4Div = 0xe7;
const f32x4Add = 0xe4;
const f32x4Mul = 0xe6;
const f32x4ExtractLane = 0x1f;
const f64Const = 0x44;
const f64Eq = 0x61;
const f64Sub = 0xa1;
const f64Sqrt = 0x9f;
const f64Max = 0xa5;
const f32Div = 0x95;
const i32Eqz = 0x45;

function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  let remaining = value >>> 0;
  do {
    let byte = remaining & 0x7f;
    remaining >>>= 7;
    if (remaining !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (remaining !== 0);
  return bytes;
}

function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  let remaining = value | 0;
  for (;;) {
    const byte = remaining & 0x7f;
    remaining >>= 7;
    const done = (remaining === 0 && (byte & 0x40) === 0) || (remaining === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

function simdOp(opcode: number): number[] {
  return [simd, ...unsignedLeb(opcode)];
}

/** memarg: alignment exponent 2 (4 bytes: rows are only float-aligned), static offset. */
function memarg(offset: number): number[] {
  return [2, ...unsignedLeb(offset)];
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function section(id: number, contents: number[]): number[] {
  return [id, ...unsignedLeb(contents.length), ...contents];
}

function name(text: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(text));
  return [...unsignedLeb(bytes.length), ...bytes];
}

function functionBody(locals: number[][], code: number[]): number[] {
  const body = [...vector(locals), ...code, end];
  return [...unsignedLeb(body.length), ...body];
}

/** The dot product's running sums: eight vectors of four lanes, 32 elements per step (see dotProduct). */
const dotVectorSums = 8;
const dotStepElements = 4 * dotVectorSums;

const get = (index: number) => [localGet, index];
const set = (index: number) => [localSet, index];
const constant = (value: number) => [i32Const, ...signedLeb(value)];
/** Lane `index` of the four-lane float32 vector in local `vector`, as an f32. */
const laneOf = (vector: number, index: number) => [...get(vector), ...simdOp(f32x4ExtractLane), index];

/** dot(query: i32, document: i32, dimension: i32) -> f32, the order of `dotProduct`. */
function dotFunction(): number[] {
  // Parameters 0..2; locals: 3 offset (bytes), 4 unrolled end (bytes), 5..12 the eight four-lane
  // sums (s0..s3) (s4..s7) ... (s28..s31), 13 the scalar sum. Eight independent sums keep the adds
  // from waiting on each other's latency.
  const [query, document, dimension, offset, unrolledEnd, firstSums, sum] = [0, 1, 2, 3, 4, 5, 13] as const;
  const sums = Array.from({ length: dotVectorSums }, (_, index) => firstSums + index);
  const accumulate = (lanes: number, staticOffset: number) => [
    ...get(lanes),
    ...get(query),
    ...get(offset),
    i32Add,
    ...simdOp(v128Load),
    ...memarg(staticOffset),
    ...get(document),
    ...get(offset),
    i32Add,
    ...simdOp(v128Load),
    ...memarg(staticOffset),
    ...simdOp(f32x4Mul),
    ...simdOp(f32x4Add),
    ...set(lanes),
  ];
  const pairSum = (left: number[], right: number[]) => [...left, ...right, ...simdOp(f32x4Add)];
  const sumOf = (index: number) => get(sums[index] as number);
  const lane = (index: number) => laneOf(firstSums, index);
  const code = [
    // unrolledEnd = (dimension & -32) << 2
    ...get(dimension),
    ...constant(-dotStepElements),
    i32And,
    ...constant(2),
    i32Shl,
    ...set(unrolledEnd),
    ...block,
    ...loop,
    ...get(offset),
    ...get(unrolledEnd),
    i32GeU,
    brIf,
    1,
    ...sums.flatMap((lanes, index) => accumulate(lanes, 16 * index)),
    ...get(offset),
    ...constant(4 * dotStepElements),
    i32Add,
    ...set(offset),
    br,
    0,
    end,
    end,
    // v = ((S0 + S1) + (S2 + S3)) + ((S4 + S5) + (S6 + S7)), lane by lane
    ...pairSum(
      pairSum(pairSum(sumOf(0), sumOf(1)), pairSum(sumOf(2), sumOf(3))),
      pairSum(pairSum(sumOf(4), sumOf(5)), pairSum(sumOf(6), sumOf(7))),
    ),
    ...set(firstSums),
    // sum = (v0 + v1) + (v2 + v3)
    ...lane(0),
    ...lane(1),
    f32Add,
    ...lane(2),
    ...lane(3),
    f32Add,
    f32Add,
    ...set(sum),
    // Tail: sum += query[i] * document[i] for the last dimension % 32 elements.
    ...block,
    ...loop,
    ...get(offset),
    ...get(dimension),
    ...constant(2),
    i32Shl,
    i32GeU,
    brIf,
    1,
    ...get(sum),
    ...get(query),
    ...get(offset),
    i32Add,
    f32Load,
    ...memarg(0),
    ...get(document),
    ...get(offset),
    i32Add,
    f32Load,
    ...memarg(0),
    f32Mul,
    f32Add,
    ...set(sum),
    ...get(offset),
    ...constant(4),
    i32Add,
    ...set(offset),
    br,
    0,
    end,
    end,
    ...get(sum),
  ];
  return functionBody(
    [
      [2, i32],
      [dotVectorSums, v128],
      [1, f32],
    ],
    code,
  );
}

/**
 * scoreRows / scoreList(query, documents, dimension, rows-or-list, count, output): one loop over
 * `count` outputs; `byList` reads each row number from the list instead of counting from firstRow.
 */
function scoreLoopFunction(byList: boolean): number[] {
  const [query, documents, dimension, rowsOrList, count, output, index, rowBytes] = [
    0, 1, 2, 3, 4, 5, 6, 7,
  ] as const;
  const rowNumber = byList
    ? [...get(rowsOrList), ...get(index), ...constant(2), i32Shl, i32Add, i32Load, ...memarg(0)]
    : [...get(rowsOrList), ...get(index), i32Add];
  const code = [
    ...get(dimension),
    ...constant(2),
    i32Shl,
    ...set(rowBytes),
    ...block,
    ...loop,
    ...get(index),
    ...get(count),
    i32GeU,
    brIf,
    1,
    // output[index] = dot(query, documents + rowNumber * rowBytes, dimension)
    ...get(output),
    ...get(index),
    ...constant(2),
    i32Shl,
    i32Add,
    ...get(query),
    ...get(documents),
    ...rowNumber,
    ...get(rowBytes),
    i32Mul,
    i32Add,
    ...get(dimension),
    call,
    0,
    f32Store,
    ...memarg(0),
    ...get(index),
    ...constant(1),
    i32Add,
    ...set(index),
    br,
    0,
    end,
    end,
  ];
  return functionBody([[2, i32]], code);
}

/**
 * gatherScalar(values, from, to, cut, rows, found) -> found': the scalar part of gather for
 * indices [from, to); returns the new count, or -1 at a NaN.
 */
function gatherScalarFunction(): number[] {
  const [values, from, to, cut, rows, found, value] = [0, 1, 2, 3, 4, 5, 6] as const;
  const code = [
    ...block,
    ...loop,
    ...get(from),
    ...get(to),
    i32GeU,
    brIf,
    1,
    ...get(values),
    ...get(from),
    ...constant(2),
    i32Shl,
    i32Add,
    f32Load,
    ...memarg(0),
    ...set(value),
    ...get(value),
    ...get(cut),
    f32Ge,
    ...ifVoid,
    // rows[found] = from; found += 1
    ...get(rows),
    ...get(found),
    ...constant(2),
    i32Shl,
    i32Add,
    ...get(from),
    i32Store,
    ...memarg(0),
    ...get(found),
    ...constant(1),
    i32Add,
    ...set(found),
    0x05, // else
    ...get(value),
    ...get(value),
    f32Ne,
    ...ifVoid,
    ...constant(-1),
    returnOp,
    end,
    end,
    ...get(from),
    ...constant(1),
    i32Add,
    ...set(from),
    br,
    0,
    end,
    end,
    ...get(found),
  ];
  return functionBody([[1, f32]], code);
}

/**
 * gather(values, count, cut, rows) -> found: sixteen values per step. A value below the cut is the
 * common case: `x < cut` is false both for x >= cut and for NaN, so one compare per four lanes finds
 * the steps with anything to do; in those, each four-lane vector with a lane not below the cut has its
 * lanes written branch-free (the row number always, the count advanced by `x >= cut`), and NaN is
 * remembered and reported at the end.
 */
function gatherFunction(): number[] {
  const [
    values,
    count,
    cut,
    rows,
    index,
    unrolledEnd,
    found,
    notANumber,
    cutVector,
    lanes0,
    lanes1,
    lanes2,
    lanes3,
  ] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as const;
  const vectorLanes = [lanes0, lanes1, lanes2, lanes3];
  const load = (lanes: number, vectorIndex: number) => [
    ...get(values),
    ...get(index),
    ...constant(2),
    i32Shl,
    i32Add,
    ...simdOp(v128Load),
    ...memarg(16 * vectorIndex),
    ...set(lanes),
  ];
  const below = (lanes: number) => [...get(lanes), ...get(cutVector), ...simdOp(f32x4Lt)];
  const lane = (lanes: number, vectorIndex: number, laneIndex: number) => [
    // rows[found] = index + 4·vectorIndex + laneIndex
    ...get(rows),
    ...get(found),
    ...constant(2),
    i32Shl,
    i32Add,
    ...get(index),
    ...constant(4 * vectorIndex + laneIndex),
    i32Add,
    i32Store,
    ...memarg(0),
    // found += x >= cut; notANumber |= x != x
    ...get(found),
    ...laneOf(lanes, laneIndex),
    ...get(cut),
    f32Ge,
    i32Add,
    ...set(found),
    ...get(notANumber),
    ...laneOf(lanes, laneIndex),
    ...laneOf(lanes, laneIndex),
    f32Ne,
    i32Or,
    ...set(notANumber),
  ];
  const vectorIfHit = (vectorIndex: number) => {
    const lanes = vectorLanes[vectorIndex] as number;
    return [
      ...below(lanes),
      ...simdOp(i32x4AllTrue),
      i32Eqz,
      ...ifVoid,
      ...lane(lanes, vectorIndex, 0),
      ...lane(lanes, vectorIndex, 1),
      ...lane(lanes, vectorIndex, 2),
      ...lane(lanes, vectorIndex, 3),
      end,
    ];
  };
  const code = [
    ...get(cut),
    ...simdOp(f32x4Splat),
    ...set(cutVector),
    ...get(count),
    ...constant(-16),
    i32And,
    ...set(unrolledEnd),
    ...block,
    ...loop,
    ...get(index),
    ...get(unrolledEnd),
    i32GeU,
    brIf,
    1,
    ...load(lanes0, 0),
    ...load(lanes1, 1),
    ...load(lanes2, 2),
    ...load(lanes3, 3),
    // Is every one of the sixteen values below the cut?
    ...below(lanes0),
    ...below(lanes1),
    ...simdOp(v128And),
    ...below(lanes2),
    ...below(lanes3),
    ...simdOp(v128And),
    ...simdOp(v128And),
    ...simdOp(i32x4AllTrue),
    i32Eqz,
    ...ifVoid,
    ...vectorIfHit(0),
    ...vectorIfHit(1),
    ...vectorIfHit(2),
    ...vectorIfHit(3),
    end,
    ...get(index),
    ...constant(16),
    i32Add,
    ...set(index),
    br,
    0,
    end,
    end,
    ...get(notANumber),
    ...ifVoid,
    ...constant(-1),
    returnOp,
    end,
    ...get(values),
    ...get(unrolledEnd),
    ...get(count),
    ...get(cut),
    ...get(rows),
    ...get(found),
    call,
    3,
  ];
  return functionBody(
    [
      [4, i32],
      [5, v128],
    ],
    code,
  );
}

/**
 * normalise(documents, rows, dimension) -> first non-finite row or -1. Per row: the norm as
 * `rowNorm` computes it (four float64 sums over i ≡ 0..3 mod 4, tail into the first,
 * sqrt((s0 + s1) + (s2 + s3))), the divisor fround(max(norm, 1e-12)), then every component divided
 * by it in float32 (correctly rounded, as the float64 quotient rounded to float32 in JavaScript).
 */
function normaliseFunction(): number[] {
  const [documents, rows, dimension, row, rowStart, offset, unrolledEnd, rowBytes, lanes01, lanes23] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
  ] as const;
  const [divisorVector, s0, s1, s2, s3, norm, divisor] = [10, 11, 12, 13, 14, 15, 16] as const;
  const f64Constant = (value: number) => {
    const bytes = new Uint8Array(new Float64Array([value]).buffer);
    return [f64Const, ...Array.from(bytes)];
  };
  const zeroVector = [...simdOp(v128Const), ...new Array<number>(16).fill(0)];
  const square = (staticOffset: number) => [
    ...get(rowStart),
    ...get(offset),
    i32Add,
    ...simdOp(v128Load64Zero),
    ...memarg(staticOffset),
    ...simdOp(f64x2PromoteLowF32x4),
    ...set(divisorVector), // scratch: the promoted pair
    ...get(divisorVector),
    ...get(divisorVector),
    ...simdOp(f64x2Mul),
  ];
  const whileOffsetBelow = (limit: number[], body: number[], step: number) => [
    ...block,
    ...loop,
    ...get(offset),
    ...limit,
    i32GeU,
    brIf,
    1,
    ...body,
    ...get(offset),
    ...constant(step),
    i32Add,
    ...set(offset),
    br,
    0,
    end,
    end,
  ];
  const dimensionBytes = [...get(dimension), ...constant(2), i32Shl];
  const address = [...get(rowStart), ...get(offset), i32Add];
  const code = [
    ...dimensionBytes,
    ...set(rowBytes),
    ...get(dimension),
    ...constant(-4),
    i32And,
    ...constant(2),
    i32Shl,
    ...set(unrolledEnd),
    ...block,
    ...loop,
    ...get(row),
    ...get(rows),
    i32GeU,
    brIf,
    1,
    ...get(documents),
    ...get(row),
    ...get(rowBytes),
    i32Mul,
    i32Add,
    ...set(rowStart),
    ...zeroVector,
    ...set(lanes01),
    ...zeroVector,
    ...set(lanes23),
    ...constant(0),
    ...set(offset),
    ...whileOffsetBelow(
      get(unrolledEnd),
      [
        ...get(lanes01),
        ...square(0),
        ...simdOp(f64x2Add),
        ...set(lanes01),
        ...get(lanes23),
        ...square(8),
        ...simdOp(f64x2Add),
        ...set(lanes23),
      ],
      16,
    ),
    ...get(lanes01),
    ...simdOp(f64x2ExtractLane),
    0,
    ...set(s0),
    ...get(lanes01),
    ...simdOp(f64x2ExtractLane),
    1,
    ...set(s1),
    ...get(lanes23),
    ...simdOp(f64x2ExtractLane),
    0,
    ...set(s2),
    ...get(lanes23),
    ...simdOp(f64x2ExtractLane),
    1,
    ...set(s3),
    ...whileOffsetBelow(
      dimensionBytes,
      [
        ...get(s0),
        ...address,
        f32Load,
        ...memarg(0),
        f64PromoteF32,
        ...set(norm), // scratch: the promoted value
        ...get(norm),
        ...get(norm),
        f64Mul,
        f64Add,
        ...set(s0),
      ],
      4,
    ),
    ...get(s0),
    ...get(s1),
    f64Add,
    ...get(s2),
    ...get(s3),
    f64Add,
    f64Add,
    f64Sqrt,
    ...set(norm),
    // Not finite (NaN or ±∞) when norm - norm is not 0.
    ...get(norm),
    ...get(norm),
    f64Sub,
    ...f64Constant(0),
    f64Eq,
    i32Eqz,
    ...ifVoid,
    ...get(row),
    returnOp,
    end,
    ...get(norm),
    ...f64Constant(1e-12),
    f64Max,
    f32DemoteF64,
    ...set(divisor),
    ...get(divisor),
    ...simdOp(f32x4Splat),
    ...set(divisorVector),
    ...constant(0),
    ...set(offset),
    ...whileOffsetBelow(
      get(unrolledEnd),
      [
        ...address,
        ...address,
        ...simdOp(v128Load),
        ...memarg(0),
        ...get(divisorVector),
        ...simdOp(f32x4Div),
        ...simdOp(v128Store),
        ...memarg(0),
      ],
      16,
    ),
    ...whileOffsetBelow(
      dimensionBytes,
      [...address, ...address, f32Load, ...memarg(0), ...get(divisor), f32Div, f32Store, ...memarg(0)],
      4,
    ),
    ...get(row),
    ...constant(1),
    i32Add,
    ...set(row),
    br,
    0,
    end,
    end,
    ...constant(-1),
  ];
  return functionBody(
    [
      [5, i32],
      [3, v128],
      [5, f64],
      [1, f32],
    ],
    code,
  );
}

function buildModule(shared: boolean): Uint8Array {
  const dotType = [0x60, ...vector([[i32], [i32], [i32]]), ...vector([[f32]])];
  const loopType = [0x60, ...vector([[i32], [i32], [i32], [i32], [i32], [i32]]), ...vector([])];
  const gatherScalarType = [0x60, ...vector([[i32], [i32], [i32], [f32], [i32], [i32]]), ...vector([[i32]])];
  const gatherType = [0x60, ...vector([[i32], [i32], [f32], [i32]]), ...vector([[i32]])];
  const normaliseType = [0x60, ...vector([[i32], [i32], [i32]]), ...vector([[i32]])];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([dotType, loopType, gatherScalarType, gatherType, normaliseType])),
    // Import env.memory with at least one page: no maximum, or shared with at most 65,536 pages
    // (4 GiB; LEB128 0x80 0x80 0x04), as shared memories must declare one.
    ...section(
      2,
      vector([
        [
          ...name("env"),
          ...name("memory"),
          0x02,
          ...(shared ? [0x03, 0x01, 0x80, 0x80, 0x04] : [0x00, 0x01]),
        ],
      ]),
    ),
    // Functions: 0 dot, 1 scoreRows, 2 scoreList, 3 gatherScalar, 4 gather, 5 normalise.
    ...section(3, vector([[0], [1], [1], [2], [3], [4]])),
    ...section(
      7,
      vector([
        [...name("scoreRows"), 0x00, 1],
        [...name("scoreList"), 0x00, 2],
        [...name("gather"), 0x00, 4],
        [...name("normalise"), 0x00, 5],
      ]),
    ),
    ...section(
      10,
      vector([
        dotFunction(),
        scoreLoopFunction(false),
        scoreLoopFunction(true),
        gatherScalarFunction(),
        gatherFunction(),
        normaliseFunction(),
      ]),
    ),
  ];
  return Uint8Array.from(bytes);
}

/**
 * The slice of the WebAssembly JavaScript API used here. Declared locally because the project's
 * TypeScript libraries (ES2023 + Node types) do not describe it, and looked up on globalThis so an
 * engine without WebAssembly simply gets the JavaScript kernel.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

export interface WasmScorer {
  readonly memory: WasmMemory;
  scoreRows(
    query: number,
    documents: number,
    dimension: number,
    firstRow: number,
    rowCount: number,
    output: number,
  ): void;
  scoreList(
    query: number,
    documents: number,
    dimension: number,
    rowList: number,
    count: number,
    output: number,
  ): void;
  gather(values: number, count: number, cut: number, rows: number): number;
  normalise(documents: number, rows: number, dimension: number): number;
}

const compiled = new Map<boolean, object | null>();

/**
 * The compiled module over a shared or an unshared memory, or null where this JavaScript engine
 * has no WebAssembly SIMD (or no shared memory).
 */
function compiledModule(shared: boolean): object | null {
  const known = compiled.get(shared);
  if (known !== undefined) return known;
  let module: object | null;
  try {
    const bytes = buildModule(shared);
    module = wasmApi?.validate(bytes) ? new wasmApi.Module(bytes) : null;
  } catch {
    module = null;
  }
  compiled.set(shared, module);
  return module;
}

/** Whether the WebAssembly kernel can run here. */
export function wasmKernelAvailable(): boolean {
  return compiledModule(true) !== null || compiledModule(false) !== null;
}

/**
 * The kernel of the last finished search, kept for a few seconds for the next one: its memory pages
 * are already mapped, where a fresh memory faults in every page on first write (measured here: 300
 * MB took 0.19 s to fill the first time, 0.05 s the second). An evaluation runs one search per
 * (model, task), so all but the first reuse it; a process that searches once keeps it until the
 * timer drops it.
 */
let spare: { scorer: WasmScorer; pages: number; timer: ReturnType<typeof setTimeout> } | undefined;
const spareLifetimeMilliseconds = 10_000;
const pageBytes = 65536;

/**
 * Instantiates the kernel over a memory of at least `bytes` bytes (the last search's, when it is big
 * enough and not more than a quarter bigger, else a fresh one), or returns null where WebAssembly
 * SIMD is unavailable or the memory cannot be allocated (over 4 GiB). The memory is shared (a
 * SharedArrayBuffer) where the engine allows it, so that a search backend in a worker thread can read
 * the vectors and write its similarities there without a copy on this thread; otherwise it is an
 * ordinary one. Its contents are whatever the last search left: callers write before they read.
 */
export function createWasmScorer(bytes: number): WasmScorer | null {
  if (wasmApi === undefined) return null;
  const pages = Math.max(1, Math.ceil(bytes / pageBytes));
  if (pages > 65536) return null;
  if (spare !== undefined && spare.pages >= pages && spare.pages <= Math.ceil(1.25 * pages)) {
    const { scorer, timer } = spare;
    clearTimeout(timer);
    spare = undefined;
    return scorer;
  }
  for (const shared of [true, false]) {
    const module = compiledModule(shared);
    if (module === null) continue;
    let memory: WasmMemory;
    try {
      memory = new wasmApi.Memory({ initial: pages, maximum: pages, shared });
    } catch {
      continue;
    }
    return instantiate(module, memory);
  }
  return null;
}

/** Hands a kernel back once its search is over and nothing reads or writes its memory any more. */
export function releaseWasmScorer(scorer: WasmScorer): void {
  if (spare !== undefined) clearTimeout(spare.timer);
  const timer = setTimeout(() => {
    spare = undefined;
  }, spareLifetimeMilliseconds);
  // In Node.js the timer must not keep the process alive.
  (timer as { unref?: () => void }).unref?.();
  spare = { scorer, pages: scorer.memory.buffer.byteLength / pageBytes, timer };
}

function instantiate(module: object, memory: WasmMemory): WasmScorer | null {
  if (wasmApi === undefined) return null;
  const instance = new wasmApi.Instance(module, { env: { memory } });
  const exports = instance.exports as Omit<WasmScorer, "memory">;
  return {
    memory,
    scoreRows: exports.scoreRows,
    scoreList: exports.scoreList,
    gather: exports.gather,
    normalise: exports.normalise,
  };
}
