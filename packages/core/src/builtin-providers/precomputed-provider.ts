/**
 * Vectors produced elsewhere (a SageMaker Processing job, a Python notebook, another tool), scored
 * by embedeval as if a model had returned them. Two layouts:
 *
 * - `file`: JSON Lines, one `{"text": "...", "embedding": [..], "inputType"?: "query" | "document"}`
 *   a line;
 * - `vectors` + `texts`: a 2-D .npy array (float32 or float64, little-endian) and the texts in the
 *   same order, either JSON Lines (a JSON string, or an object with `text` and optional
 *   `inputType`, per line) or plain text (`.txt`, one text a line).
 *
 * embed() looks texts up exactly as the engine sends them (document title joined, prefixes added).
 * A row with `inputType` only answers that input type; rows without it answer both.
 */
import { createHash } from "node:crypto";
import { access, open, readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import type {
  EmbeddingProvider,
  EmbedRequest,
  EmbedResponse,
  InputType,
  ProviderCapabilities,
  ProviderPlugin,
  ProviderSettings,
} from "@embedeval/provider-contract";
import {
  ConfigError,
  DatasetError,
  EmbedEvalError,
  ProviderError,
  ProviderOptions,
} from "@embedeval/provider-contract";
import { readJsonLines, readLineBatches, sha256 } from "../datasets/read-lines.js";
import { type NpyHeader, parseNpy, parseNpyHeader } from "./npy-reader.js";
import { rememberedFileDigest } from "./remembered-file-digest.js";

const providerName = "precomputed";
/** How many missing texts an error quotes, and how many characters of each. */
const quotedTextCount = 3;
const quotedTextLength = 60;

interface TextRow {
  text: string;
  inputType: InputType | undefined;
  file: string;
  line: number;
}

interface VectorRow extends TextRow {
  vector: Float32Array;
}

/**
 * The provider's vectors: in hand (JSON Lines, read whole to know the dimension), or to be read on the
 * first call (a .npy, whose header gives the dimension). Reading a large array only when a text is
 * really asked for lets a rerun whose every vector is in the embedding cache skip it entirely.
 */
type VectorRows =
  | { rows: readonly VectorRow[] }
  | { dimensions: number; load: () => Promise<readonly VectorRow[]> };

export class PrecomputedProvider implements EmbeddingProvider {
  readonly specificationVersion = "v1";
  readonly provider = providerName;
  readonly modelId: string;
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  /** Rows by text, one map per `inputType` (and one for rows without): no key is built per lookup. */
  private readonly byType: Record<InputType | "any", Map<string, VectorRow>> = {
    query: new Map(),
    document: new Map(),
    any: new Map(),
  };

  /** Resolves once the rows are indexed; undefined until the first call needs them. */
  private indexed: Promise<void> | undefined;
  private readonly load: (() => Promise<readonly VectorRow[]>) | undefined;

  /**
   * @param vectors the rows in file order (all of one dimension), or how to read them on first use.
   * @param source a description of the files for error messages.
   * @param contentHash a fingerprint of the files, so the cache tells different vector files apart.
   */
  constructor(
    vectors: VectorRows | readonly VectorRow[],
    private readonly source: string,
    contentHash: string,
    modelId: string,
  ) {
    this.modelId = modelId;
    const given: VectorRows = Array.isArray(vectors)
      ? { rows: vectors as readonly VectorRow[] }
      : (vectors as VectorRows);
    let dimensions: number | undefined;
    if ("rows" in given) {
      dimensions = given.rows[0]?.vector.length;
      this.index(given.rows);
      this.indexed = Promise.resolve();
    } else {
      dimensions = given.dimensions;
      this.load = given.load;
    }
    this.capabilities = {
      maxInputsPerCall: 4096,
      ...(dimensions === undefined ? {} : { dimensions }),
      normalized: false,
      supportsParallelCalls: true,
    };
    this.vectorOptions = { vectors: contentHash };
  }

  /** Files the rows by text and input type; a text given two different vectors is an error. */
  private index(rows: readonly VectorRow[]): void {
    const dimensions = rows[0]?.vector.length;
    for (const row of rows) {
      if (row.vector.length !== dimensions) {
        throw new DatasetError(
          `Vector has ${row.vector.length} dimensions, but the first one has ${dimensions}.`,
          {
            file: row.file,
            line: row.line,
            hint: "All precomputed vectors must come from one model and one dimension.",
          },
        );
      }
      const rowsOfType = this.byType[row.inputType ?? "any"];
      const previous = rowsOfType.get(row.text);
      if (previous && !sameVector(previous.vector, row.vector)) {
        throw new DatasetError(
          `The same text has a different vector on line ${previous.line}${previous.file === row.file ? "" : ` of ${previous.file}`}.`,
          {
            file: row.file,
            line: row.line,
            hint: 'Keep one vector per text, or tell query and document vectors apart with "inputType".',
          },
        );
      }
      if (!previous) rowsOfType.set(row.text, row);
    }
  }

  /**
   * Reads and indexes a lazily given array on the first call. What it finds wrong (a non-finite value,
   * a text with two vectors) fails the call as a ProviderError naming the file, as the contract asks.
   */
  private ready(): Promise<void> {
    this.indexed ??= (async () => {
      try {
        this.index(await (this.load as () => Promise<readonly VectorRow[]>)());
      } catch (error) {
        if (!EmbedEvalError.is(error) || error.code !== "dataset") throw error;
        const where = error.file ? ` (${error.file}${error.line ? `:${error.line}` : ""})` : "";
        throw new ProviderError(`${error.message}${where}`, {
          provider: providerName,
          retryable: false,
          cause: error,
          ...(error.hint ? { hint: error.hint } : {}),
        });
      }
    })();
    return this.indexed;
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    // In-process and quick, but a call cancelled before it starts must still reject, as the contract says.
    request.signal?.throwIfAborted();
    await this.ready();
    const embeddings: Float32Array[] = [];
    const missing: string[] = [];
    const ofType = this.byType[request.inputType];
    const any = this.byType.any;
    for (const text of request.texts) {
      const row = ofType.get(text) ?? any.get(text);
      // The row itself, not a copy: vectors are never written to once embedded (the runtime shares one
      // array between identical texts too), and rows that stay views of one .npy block let the search
      // use that block as it is.
      if (row) embeddings.push(row.vector);
      else missing.push(text);
    }
    if (missing.length > 0) {
      const quoted = missing.slice(0, quotedTextCount).map((text) => JSON.stringify(truncate(text)));
      throw new ProviderError(
        `${missing.length} of ${request.texts.length} ${request.inputType} text(s) have no precomputed vector in ${this.source}: ${quoted.join(", ")}${missing.length > quotedTextCount ? ", ..." : ""}.`,
        {
          provider: providerName,
          retryable: false,
          hint: "Texts are matched exactly as embedeval sends them (document title and text joined with a space, prefixes added); regenerate the vectors for these texts.",
        },
      );
    }
    return { embeddings, usage: { tokens: 0, source: "provider" } };
  }
}

function sameVector(left: Float32Array, right: Float32Array): boolean {
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

/** One pass over all values (x - x is NaN exactly for NaN and ±Infinity). */
function firstNonFiniteIndex(values: Float32Array): number {
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
    if (value - value !== 0) return index;
  }
  return -1;
}

function truncate(text: string): string {
  return text.length > quotedTextLength ? `${text.slice(0, quotedTextLength)}...` : text;
}

function readInputType(value: unknown, file: string, line: number): InputType | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === "query" || value === "document") return value;
  throw new DatasetError(`inputType must be "query" or "document", got ${JSON.stringify(value)}.`, {
    file,
    line,
  });
}

function toVector(values: unknown, file: string, line: number): Float32Array {
  if (!Array.isArray(values) || values.length === 0) {
    throw new DatasetError("`embedding` must be a non-empty array of numbers.", { file, line });
  }
  const vector = new Float32Array(values.length);
  values.forEach((value, index) => {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new DatasetError(`embedding[${index}] is ${JSON.stringify(value)}, not a finite number.`, {
        file,
        line,
      });
    }
    vector[index] = value;
  });
  return vector;
}

function parseJsonLine(line: string, file: string, lineNumber: number): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new DatasetError(`Malformed JSON: ${(error as Error).message}.`, {
      file,
      line: lineNumber,
      hint: "Each line must be one complete JSON value (JSON Lines).",
    });
  }
}

/** Reads `{"text", "embedding", "inputType"?}` lines. */
export async function readVectorJsonLines(file: string): Promise<{ rows: VectorRow[]; contentHash: string }> {
  const hash = sha256();
  const rows: VectorRow[] = [];
  for await (const { value: record, lineNumber } of readJsonLines(file, { hash })) {
    if (typeof record.text !== "string") {
      throw new DatasetError('Expected an object with a string "text" and an "embedding" array.', {
        file,
        line: lineNumber,
      });
    }
    rows.push({
      text: record.text,
      inputType: readInputType(record.inputType, file, lineNumber),
      vector: toVector(record.embedding, file, lineNumber),
      file,
      line: lineNumber,
    });
  }
  return { rows, contentHash: hash.digest("hex") };
}

/**
 * Opens a .npy matrix and its texts (JSON Lines, or plain lines for other extensions): checks the
 * array's header against its size now, and fingerprints both files; the texts and the values are read
 * by `load`, on the provider's first call, so a rerun that finds every vector in the embedding cache
 * reads neither (a 100,000-line texts file: 0.1 s of this thread's parsing at start-up).
 *
 * The fingerprint is SHA-1: it tells vector files apart in the cache key, it guards nothing against an
 * attacker (whoever can change the file can change the cache), and it hashes three times as fast as
 * SHA-256 here (0.18-0.25 s against 0.62 s for 310 MB). Both files are hashed in worker threads while
 * this thread reads the datasets; given a `digestFolder` (the run's cache), a rerun takes each file's
 * digest remembered there if the file stats as it did (rememberedFileDigest) and reads no byte of it.
 * Fingerprinting before reading is safe because `load` checks that the texts it reads still have the
 * fingerprinted bytes, and every cached vector was stored by a run that read these very files.
 */
export async function openNpyWithTexts(
  vectorsFile: string,
  textsFile: string,
  digestFolder?: string,
): Promise<{ dimensions: number; contentHash: string; load: () => Promise<VectorRow[]> }> {
  const header = await readNpyHeader(vectorsFile);
  const vectorsDigest = rememberedFileDigest(vectorsFile, digestFolder);
  const textsDigest = rememberedFileDigest(textsFile, digestFolder);
  try {
    const [vectorsSha1, textsSha1] = await Promise.all([vectorsDigest.digest, textsDigest.digest]);
    const contentHash = createHash("sha1")
      .update(`vectors ${vectorsSha1}\ntexts ${textsSha1}\n`)
      .digest("hex");
    const load = async () => {
      const { texts, textsDigest: readDigest } = await readTexts(textsFile, vectorsFile, header.rows);
      if (readDigest !== textsSha1) {
        throw new DatasetError(`${textsFile} changed during the run.`, {
          file: textsFile,
          hint: "Run again once the texts file is written.",
        });
      }
      return loadNpyRows(vectorsFile, texts);
    };
    return { dimensions: header.columns, contentHash, load };
  } finally {
    // On success the workers have already ended; on a failure, the other one's answer is not wanted.
    vectorsDigest.stop();
    textsDigest.stop();
  }
}

/** The texts of a .npy's rows, one per row, and the SHA-1 of the texts file's bytes. */
async function readTexts(
  textsFile: string,
  vectorsFile: string,
  rows: number,
): Promise<{ texts: TextRow[]; textsDigest: string }> {
  const hash = createHash("sha1");
  const isJsonLines = /\.jsonl(\.gz)?$/.test(textsFile);
  const texts: TextRow[] = [];
  // In batches: a step through an async generator per line would cost a tenth of a second per 100,000.
  for await (const lines of readLineBatches(textsFile, { hash }))
    for (const { line, lineNumber } of lines) {
      let text: string;
      let inputType: InputType | undefined;
      if (isJsonLines) {
        if (line.trim() === "") continue;
        const record = parseJsonLine(line, textsFile, lineNumber);
        if (typeof record === "string") text = record;
        else if (
          typeof record === "object" &&
          record !== null &&
          typeof (record as { text?: unknown }).text === "string"
        ) {
          text = (record as { text: string }).text;
          inputType = readInputType((record as { inputType?: unknown }).inputType, textsFile, lineNumber);
        } else {
          throw new DatasetError('Expected a JSON string or an object with a string "text".', {
            file: textsFile,
            line: lineNumber,
          });
        }
      } else {
        text = line;
      }
      if (texts.length === rows) {
        throw new DatasetError(`More texts than vectors: ${vectorsFile} has ${rows} rows.`, {
          file: textsFile,
          line: lineNumber,
          hint: "The texts file must list exactly one text per row of the array, in the same order.",
        });
      }
      texts.push({ text, inputType, file: textsFile, line: lineNumber });
    }
  if (texts.length !== rows) {
    throw new DatasetError(`${textsFile} lists ${texts.length} texts, but ${vectorsFile} has ${rows} rows.`, {
      file: textsFile,
      hint: "The texts file must list exactly one text per row of the array, in the same order.",
    });
  }
  if (texts.length === 0) throw new DatasetError("No precomputed vector found.", { file: vectorsFile });
  return { texts, textsDigest: hash.digest("hex") };
}

/** The array's values, read and checked on the provider's first call, joined to their texts. */
async function loadNpyRows(vectorsFile: string, texts: readonly TextRow[]): Promise<VectorRow[]> {
  const bytes = await readFile(vectorsFile).catch((error: NodeJS.ErrnoException) => {
    throw new DatasetError(`Cannot read ${vectorsFile}: ${error.code ?? error.message}.`, {
      file: vectorsFile,
    });
  });
  const matrix = parseNpy(bytes, vectorsFile);
  if (matrix.rows !== texts.length) {
    throw new DatasetError(`${vectorsFile} changed during the run: it now has ${matrix.rows} rows.`, {
      file: vectorsFile,
    });
  }
  const firstNonFinite = firstNonFiniteIndex(matrix.data);
  if (firstNonFinite >= 0) {
    const row = Math.floor(firstNonFinite / matrix.columns);
    const column = firstNonFinite % matrix.columns;
    throw new DatasetError(
      `Row ${row} of the array has a non-finite value (${matrix.data[firstNonFinite]}) at column ${column}.`,
      { file: vectorsFile },
    );
  }
  return texts.map((row, index) => ({ ...row, vector: matrix.vectors[index] as Float32Array }));
}

/** Checks the .npy header and shape against the file's size, reading only the file's first bytes. */
async function readNpyHeader(file: string): Promise<NpyHeader> {
  const handle = await open(file, "r").catch((error: NodeJS.ErrnoException) => {
    throw new DatasetError(`Cannot read ${file}: ${error.code ?? error.message}.`, { file });
  });
  try {
    const size = (await handle.stat()).size;
    // 64 KiB holds any header numpy writes; the rest of the file is the worker's to read.
    const buffer = Buffer.allocUnsafe(Math.min(size, 1024 * 1024));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return parseNpyHeader(buffer.subarray(0, bytesRead), file, size);
  } finally {
    await handle.close();
  }
}

/** Builds the provider from config: `file`, or `vectors` and `texts`; paths relative to the config file. */
export async function createPrecomputedProvider(settings: ProviderSettings): Promise<PrecomputedProvider> {
  const options = new ProviderOptions(providerName, settings.options, ["file", "vectors", "texts"]);
  const at = (path: string) => (isAbsolute(path) ? path : resolve(settings.baseDirectory, path));
  const file = options.string("file");
  const vectors = options.string("vectors");
  const texts = options.string("texts");
  const modelId = settings.model || "precomputed";
  if (file !== undefined && vectors === undefined && texts === undefined) {
    const { rows, contentHash } = await readVectorJsonLines(await existing(at(file), "file"));
    return new PrecomputedProvider(emptyCheck(rows, at(file)), at(file), contentHash, modelId);
  }
  if (file === undefined && vectors !== undefined && texts !== undefined) {
    const { dimensions, contentHash, load } = await openNpyWithTexts(
      await existing(at(vectors), "vectors"),
      await existing(at(texts), "texts"),
      settings.cacheDirectory,
    );
    return new PrecomputedProvider(
      { dimensions, load },
      `${at(vectors)} (texts: ${at(texts)})`,
      contentHash,
      modelId,
    );
  }
  throw new ConfigError("Provider `precomputed` needs either `file` or both `vectors` and `texts`.", {
    key: "options",
    hint: 'Use `file: vectors.jsonl` (lines {"text", "embedding"}) or `vectors: vectors.npy` with `texts: texts.jsonl`.',
  });
}

async function existing(path: string, option: string): Promise<string> {
  try {
    await access(path);
  } catch {
    throw new ConfigError(`Option \`${option}\` of provider \`precomputed\`: ${path} cannot be read.`, {
      key: `options.${option}`,
      hint: "Paths are resolved against the config file's folder.",
    });
  }
  return path;
}

function emptyCheck(rows: VectorRow[], file: string): VectorRow[] {
  if (rows.length === 0) throw new DatasetError("No precomputed vector found.", { file });
  return rows;
}

export const precomputedProvider: ProviderPlugin = {
  specificationVersion: "v1",
  name: providerName,
  create: createPrecomputedProvider,
};
