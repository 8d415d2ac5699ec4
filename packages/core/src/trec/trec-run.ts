import { readFile } from "node:fs/promises";
import { DatasetError } from "@embedeval/provider-contract";
import { compareByteRanges, HASH, LINE_FEED, lineTextAt, parseDecimal, SPACE } from "./byte-scanning.js";
import type { RankedDocument, Run } from "./run.js";

const RUN_LINE_SHAPE = "`query-id Q0 document-id rank score run-tag` (6 fields separated by spaces or tabs)";

/**
 * A TREC run file held column-wise: the file's bytes plus typed arrays of offsets, scores and hashes, one entry
 * per line. Document ids stay as byte ranges: a 2,000,000-line run makes no string or object per line; a
 * document id is decoded only when asked for (`documentId`, `toRun`). `evaluateRun` scores it directly.
 *
 * Records are numbered in file order. The records of query `queryIds[q]` are
 * `order[groupStarts[q] .. groupStarts[q + 1])`, in file order.
 */
export class TrecRun {
  constructor(
    /** The file the run came from, for messages. */
    readonly file: string | undefined,
    readonly bytes: Uint8Array,
    /** Number of records (ranked documents). */
    readonly size: number,
    /** Distinct query ids in order of first appearance. */
    readonly queryIds: readonly string[],
    readonly groupStarts: Int32Array,
    readonly order: Int32Array,
    readonly documentStarts: Int32Array,
    readonly documentEnds: Int32Array,
    /** FNV-1a hash of each document id's bytes (see byte-scanning.ts). */
    readonly documentHashes: Int32Array,
    readonly scores: Float64Array,
    /** 1-based line of each record, for messages. */
    readonly lineNumbers: Int32Array,
  ) {}

  /** The document id of record `record`. */
  documentId(record: number): string {
    const start = this.documentStarts[record] as number;
    const end = this.documentEnds[record] as number;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString("utf8");
  }

  /** The run as query id -> documents (in file order), the shape the rest of embedeval passes around. */
  toRun(): Run {
    const run = new Map<string, RankedDocument[]>();
    for (let query = 0; query < this.queryIds.length; query++) {
      const documents: RankedDocument[] = [];
      for (
        let slot = this.groupStarts[query] as number;
        slot < (this.groupStarts[query + 1] as number);
        slot++
      ) {
        const record = this.order[slot] as number;
        documents.push({ id: this.documentId(record), score: this.scores[record] as number });
      }
      run.set(this.queryIds[query] as string, documents);
    }
    return run;
  }
}

export interface ParseTrecOptions {
  /** Names the source in error messages. */
  file?: string;
}

function runError(
  message: string,
  options: { file: string | undefined; line: number; hint: string },
): DatasetError {
  return new DatasetError(message, options);
}

/**
 * Parses a TREC run (`qid Q0 docid rank score tag` per line, as trec_eval reads it). The rank column is ignored,
 * as trec_eval ignores it: the ranking is rebuilt from the scores. Blank lines and lines starting with `#` are
 * skipped. A malformed line, a score that is not a number, or a document listed twice for one query (trec_eval
 * refuses that too: "duplicate docs") raises a DatasetError naming the file and line.
 */
export function parseTrecRun(input: Uint8Array | string, options: ParseTrecOptions = {}): TrecRun {
  const source = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  // A final line feed is the scanner's sentinel; add one to a file that lacks it (one copy, rare).
  const bytes =
    source.length > 0 && source[source.length - 1] !== LINE_FEED
      ? Buffer.concat([source, Buffer.from([LINE_FEED])])
      : source;
  const file = options.file;
  const length = bytes.length;

  let capacity = Math.max(16, Math.ceil(length / 24));
  let queryIndexes = new Int32Array(capacity);
  let documentStarts = new Int32Array(capacity);
  let documentEnds = new Int32Array(capacity);
  let documentHashes = new Int32Array(capacity);
  let scores = new Float64Array(capacity);
  let lineNumbers = new Int32Array(capacity);

  const queryIds: string[] = [];
  const queryIndexById = new Map<string, number>();
  let previousQueryStart = -1;
  let previousQueryEnd = -1;
  let previousQuery = -1;

  // This loop runs once per byte of files of tens of megabytes, so it keeps everything in locals (no closure
  // captures a variable it assigns, which would move it to a slower context slot) and walks each field once.
  let size = 0;
  let line = 0;
  let position = 0;
  while (position < length) {
    line++;
    let fieldCount = 0;
    let byte = 0;
    let queryStart = 0;
    let queryEnd = 0;
    let documentStart = 0;
    let documentEnd = 0;
    let documentHash = 0;
    let scoreStart = 0;
    let scoreEnd = 0;
    // Split the line into fields; stop at the line feed. Any byte <= 0x20 other than the line feed separates
    // fields (spaces and tabs as trec_eval, plus the \r of CRLF files): one comparison per byte. The buffer ends
    // with a line feed (see above), so the inner loops need no bounds check.
    for (;;) {
      byte = bytes[position] as number;
      while (byte <= SPACE && byte !== LINE_FEED) byte = bytes[++position] as number;
      if (byte === LINE_FEED) break;
      const start = position;
      if (fieldCount === 2) {
        // The document id: hash it while walking it (FNV-1a, as hashBytes).
        let hash = 0x811c9dc5;
        while (byte > SPACE) {
          hash = Math.imul(hash ^ byte, 0x01000193);
          byte = bytes[++position] as number;
        }
        documentHash = hash | 0;
        documentStart = start;
        documentEnd = position;
      } else {
        while (byte > SPACE) byte = bytes[++position] as number;
        if (fieldCount === 0) {
          queryStart = start;
          queryEnd = position;
        } else if (fieldCount === 4) {
          scoreStart = start;
          scoreEnd = position;
        }
      }
      fieldCount++;
    }
    position++; // past the line feed
    if (fieldCount === 0) continue;
    if (bytes[queryStart] === HASH) continue;
    if (fieldCount !== 6) {
      throw runError(`Expected ${RUN_LINE_SHAPE}, found ${fieldCount} field${fieldCount === 1 ? "" : "s"}.`, {
        file,
        line,
        hint: `Check this line: \`${lineTextAt(bytes, queryStart)}\`. trec_eval's run format is documented at https://trec.nist.gov/trec_eval/.`,
      });
    }

    const score = parseDecimal(bytes, scoreStart, scoreEnd);
    if (Number.isNaN(score)) {
      const text = Buffer.from(bytes.buffer, bytes.byteOffset + scoreStart, scoreEnd - scoreStart).toString(
        "utf8",
      );
      throw runError(
        `The score (5th field) \`${text}\` is not a finite number; expected ${RUN_LINE_SHAPE}.`,
        {
          file,
          line,
          hint: "Write scores as decimal numbers such as 0.8312 or 1.2e-3.",
        },
      );
    }

    let query = previousQuery;
    if (
      previousQuery < 0 ||
      compareByteRanges(bytes, queryStart, queryEnd, previousQueryStart, previousQueryEnd) !== 0
    ) {
      const queryId = Buffer.from(
        bytes.buffer,
        bytes.byteOffset + queryStart,
        queryEnd - queryStart,
      ).toString("utf8");
      const known = queryIndexById.get(queryId);
      if (known === undefined) {
        query = queryIds.length;
        queryIds.push(queryId);
        queryIndexById.set(queryId, query);
      } else {
        query = known;
      }
      previousQuery = query;
      previousQueryStart = queryStart;
      previousQueryEnd = queryEnd;
    }

    if (size === capacity) {
      capacity *= 2;
      queryIndexes = widen(queryIndexes, new Int32Array(capacity));
      documentStarts = widen(documentStarts, new Int32Array(capacity));
      documentEnds = widen(documentEnds, new Int32Array(capacity));
      documentHashes = widen(documentHashes, new Int32Array(capacity));
      scores = widen(scores, new Float64Array(capacity));
      lineNumbers = widen(lineNumbers, new Int32Array(capacity));
    }
    queryIndexes[size] = query;
    documentStarts[size] = documentStart;
    documentEnds[size] = documentEnd;
    documentHashes[size] = documentHash;
    scores[size] = score;
    lineNumbers[size] = line;
    size++;
  }

  // Group records by query with a stable counting sort (runs are usually grouped already; this also covers
  // files that interleave queries).
  const queryCount = queryIds.length;
  const groupStarts = new Int32Array(queryCount + 1);
  for (let record = 0; record < size; record++) {
    const query = queryIndexes[record] as number;
    groupStarts[query + 1] = (groupStarts[query + 1] as number) + 1;
  }
  for (let query = 0; query < queryCount; query++) {
    groupStarts[query + 1] = (groupStarts[query + 1] as number) + (groupStarts[query] as number);
  }
  const order = new Int32Array(size);
  const cursor = groupStarts.slice(0, queryCount);
  for (let record = 0; record < size; record++) {
    const query = queryIndexes[record] as number;
    order[cursor[query] as number] = record;
    cursor[query] = (cursor[query] as number) + 1;
  }

  const run = new TrecRun(
    file,
    bytes,
    size,
    queryIds,
    groupStarts,
    order,
    documentStarts,
    documentEnds,
    documentHashes,
    scores,
    lineNumbers,
  );
  rejectDuplicateDocuments(run);
  return run;
}

function widen<T extends Int32Array | Float64Array>(array: T, next: T): T {
  next.set(array);
  return next;
}

/** Open-addressing hash set per query over the precomputed hashes; bytes are compared only on a hash match. */
function rejectDuplicateDocuments(run: TrecRun): void {
  let table = new Int32Array(0);
  for (let query = 0; query < run.queryIds.length; query++) {
    const start = run.groupStarts[query] as number;
    const end = run.groupStarts[query + 1] as number;
    let tableSize = 16;
    while (tableSize < (end - start) * 2) tableSize *= 2;
    if (table.length < tableSize) table = new Int32Array(tableSize);
    table.fill(-1, 0, tableSize);
    const mask = tableSize - 1;
    for (let slot = start; slot < end; slot++) {
      const record = run.order[slot] as number;
      let probe = (run.documentHashes[record] as number) & mask;
      for (;;) {
        const other = table[probe] as number;
        if (other < 0) {
          table[probe] = record;
          break;
        }
        if (
          run.documentHashes[other] === run.documentHashes[record] &&
          compareByteRanges(
            run.bytes,
            run.documentStarts[other] as number,
            run.documentEnds[other] as number,
            run.documentStarts[record] as number,
            run.documentEnds[record] as number,
          ) === 0
        ) {
          throw new DatasetError(
            `Document \`${run.documentId(record)}\` is ranked twice for query \`${run.queryIds[query]}\` (first on line ${run.lineNumbers[other]}).`,
            {
              file: run.file,
              line: run.lineNumbers[record] as number,
              hint: "Keep one line per (query, document); trec_eval refuses duplicate documents too.",
            },
          );
        }
        probe = (probe + 1) & mask;
      }
    }
  }
}

/** Reads and parses a TREC run file. An unreadable file raises a DatasetError naming it. */
export async function readTrecRun(path: string): Promise<TrecRun> {
  return parseTrecRun(await readInputFile(path, "run"), { file: path });
}

/** Reads a whole input file; a missing or unreadable file becomes a DatasetError that says so. */
export async function readInputFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "it does not exist"
        : code === "EISDIR"
          ? "it is a folder"
          : `${code ?? "read failed"}`;
    throw new DatasetError(`Cannot read the ${what} file \`${path}\`: ${reason}.`, {
      file: path,
      cause,
      hint: `Pass the path of a readable ${what} file.`,
    });
  }
}
