/**
 * One sentence-transformers model run in this process on onnxruntime-node's CPU provider: tokenise as
 * sentence-transformers does, run the model's ONNX export for the token embeddings, pool and normalise
 * as its Pooling and Normalize modules do. No endpoint, no network.
 *
 * Within one call texts are sorted by token count and run in batches of `batchSize`, so each batch is
 * padded only to its own longest text (sentence-transformers' encode sorts by length for the same reason).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename, join, resolve } from "node:path";
import {
  abortReason,
  ConfigError,
  type EmbeddingProvider,
  EmbedEvalError,
  type EmbedRequest,
  type EmbedResponse,
  type InputType,
  type ProviderCapabilities,
  ProviderError,
  type ProviderSettings,
  readBoolean,
  readChoice,
  readPositiveInteger,
  readString,
  rejectUnknownOptions,
} from "@embedeval/provider-contract";
import ort from "onnxruntime-node";
import { resolveModelFolder } from "./model-folder.js";
import { normalizeVector, poolTokenEmbeddings } from "./pool-token-embeddings.js";
import { prepareText, SentenceTokenizer, type TokenizedText } from "./sentence-tokenizer.js";
import {
  type PoolingMode,
  poolingModes,
  readSentenceTransformersConfig,
} from "./sentence-transformers-config.js";

/** Weight files of a hub ONNX export, by `dtype` (the names transformers.js and optimum use). */
export const weightFiles = { fp32: "onnx/model.onnx", q8: "onnx/model_quantized.onnx" } as const;
export type WeightType = keyof typeof weightFiles;

export const localOptionNames = [
  "revision",
  "dtype",
  "onnxFile",
  "pooling",
  "normalize",
  "includePrompt",
  "maxSeqLength",
  "queryPrompt",
  "documentPrompt",
  "queryPromptName",
  "documentPromptName",
  "batchSize",
  "threads",
] as const;

/**
 * Texts per onnxruntime run. sentence-transformers' encode uses 32; on a CPU, batches of 8 texts are
 * already thousands of tokens per matrix product, and smaller batches of length-sorted texts carry
 * less padding. fp32 vectors do not depend on it (tested).
 */
const defaultBatchSize = 8;
/**
 * Texts per call from the runtime, four batches sorted by length together. Few enough that a call of
 * long texts through a base-size model (about 0.2 GFLOP a token) stays well inside the runtime's 60 s
 * per-call timeout on two cores; `runtime.batchSize` and `runtime.timeoutSeconds` in the config change it.
 */
const textsPerCall = 32;

/** What a run uses, after the model's files and the user's options are combined. */
export interface LocalModelSettings {
  folder: string;
  onnxFile: string;
  pooling: PoolingMode[];
  includePrompt: boolean;
  normalize: boolean;
  maxSeqLength: number | undefined;
  doLowerCase: boolean;
  prompts: Record<InputType, string>;
  /** Width of the token embeddings the configuration declares, when it does. */
  tokenDimension: number | undefined;
  batchSize: number;
  threads: number;
  notes: string[];
  commit?: string;
}

/** An option that may be the empty string (a prompt switched off), which readString refuses. */
function readPrompt(options: ProviderSettings["options"], key: string): string | undefined {
  return options[key] === "" ? "" : readString(options, key);
}

function namedPrompt(prompts: Readonly<Record<string, string>>, name: string, key: string): string {
  const prompt = prompts[name];
  if (prompt === undefined) {
    const names = Object.keys(prompts);
    throw new ConfigError(`\`options.${key}\` names the prompt "${name}", which the model does not define.`, {
      key: `options.${key}`,
      hint:
        names.length > 0
          ? `config_sentence_transformers.json defines: ${names.join(", ")}.`
          : "The model defines no prompts; set `queryPrompt`/`documentPrompt` to the text itself.",
    });
  }
  return prompt;
}

/** Reads the model's files and the options over them. */
export async function resolveLocalModelSettings(settings: ProviderSettings): Promise<LocalModelSettings> {
  const { options } = settings;
  rejectUnknownOptions(options, localOptionNames, "provider `local`");
  const revision = readString(options, "revision");
  const { folder, commit } = await resolveModelFolder({
    model: settings.model,
    baseDirectory: settings.baseDirectory,
    environment: settings.environment,
    ...(revision ? { revision } : {}),
  });
  const model = await readSentenceTransformersConfig(folder);
  const dtype =
    readChoice(options, "dtype", Object.keys(weightFiles) as WeightType[], settings.model) ?? "fp32";
  const onnxFile = resolve(folder, readString(options, "onnxFile") ?? weightFiles[dtype]);
  if (!(await stat(onnxFile).catch(() => undefined))?.isFile()) {
    throw new ConfigError(`The model has no ONNX weights at ${onnxFile}.`, {
      key: options.onnxFile === undefined ? "options.dtype" : "options.onnxFile",
      hint: `Hub models with ONNX exports keep them in onnx/ (model.onnx for dtype fp32, model_quantized.onnx for q8). Export one with \`optimum-cli export onnx --model ${settings.model} --task feature-extraction <folder>/onnx\`, or set \`options.onnxFile\`.`,
    });
  }
  const pooling = readChoice(options, "pooling", poolingModes, settings.model);
  const maxSeqLength = readPositiveInteger(options, "maxSeqLength") ?? model.maxSeqLength;
  const queryPromptName = readString(options, "queryPromptName");
  const documentPromptName = readString(options, "documentPromptName");
  const defaultPrompt =
    model.defaultPromptName === undefined
      ? undefined
      : namedPrompt(model.prompts, model.defaultPromptName, "default_prompt_name");
  // MTEB asks sentence-transformers for the prompt named after the input type ("passage" before
  // MTEB 2 called it "document"); without one, sentence-transformers uses default_prompt_name.
  const prompts: Record<InputType, string> = {
    query:
      readPrompt(options, "queryPrompt") ??
      (queryPromptName ? namedPrompt(model.prompts, queryPromptName, "queryPromptName") : undefined) ??
      model.prompts.query ??
      defaultPrompt ??
      "",
    document:
      readPrompt(options, "documentPrompt") ??
      (documentPromptName
        ? namedPrompt(model.prompts, documentPromptName, "documentPromptName")
        : undefined) ??
      model.prompts.document ??
      model.prompts.passage ??
      defaultPrompt ??
      "",
  };
  return {
    folder,
    onnxFile,
    pooling: pooling ? [pooling] : model.pooling,
    includePrompt: readBoolean(options, "includePrompt") ?? model.includePrompt,
    normalize: readBoolean(options, "normalize") ?? model.normalize,
    maxSeqLength,
    doLowerCase: model.doLowerCase,
    prompts,
    tokenDimension: model.tokenDimension,
    batchSize: readPositiveInteger(options, "batchSize") ?? defaultBatchSize,
    threads: readPositiveInteger(options, "threads") ?? availableParallelism(),
    notes: model.notes,
    ...(commit ? { commit } : {}),
  };
}

/**
 * The SHA-256 of a file: in the hub cache a snapshot file links to `blobs/<sha256>` and the name is
 * the hash; otherwise the file is read once.
 */
async function fileSha256(path: string): Promise<string> {
  const target = basename(await realpath(path));
  if (/^[0-9a-f]{64}$/.test(target)) return target;
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Token embeddings come out under this name in optimum and transformers.js exports. */
const tokenOutputNames = ["last_hidden_state", "token_embeddings"];

function chooseTokenOutput(session: ort.InferenceSession, onnxFile: string): string {
  const name = tokenOutputNames.find((candidate) => session.outputNames.includes(candidate));
  if (name) return name;
  if (session.outputNames.length === 1) return session.outputNames[0] as string;
  throw new ConfigError(
    `${onnxFile} has no token-embedding output (looked for ${tokenOutputNames.join(", ")}; it has ${session.outputNames.join(", ")}).`,
    { hint: "Export the model for the feature-extraction task, which returns last_hidden_state." },
  );
}

const knownInputs = new Set(["input_ids", "attention_mask", "token_type_ids", "position_ids"]);

export class LocalEmbeddingProvider implements EmbeddingProvider {
  readonly specificationVersion = "v1" as const;
  readonly provider = "local";
  readonly modelId: string;
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  readonly settings: LocalModelSettings;
  private readonly tokenizer: SentenceTokenizer;
  private readonly session: ort.InferenceSession;
  private readonly outputName: string;
  private readonly promptLengths = new Map<InputType, number>();
  private warningsToReport: string[];

  private constructor(
    modelId: string,
    settings: LocalModelSettings,
    tokenizer: SentenceTokenizer,
    session: ort.InferenceSession,
    fingerprint: { weightsSha256: string; tokenizerSha256: string },
  ) {
    this.modelId = modelId;
    this.settings = settings;
    this.tokenizer = tokenizer;
    this.session = session;
    this.outputName = chooseTokenOutput(session, settings.onnxFile);
    this.warningsToReport = settings.notes.map((note) => `${modelId}: ${note}.`);
    this.capabilities = {
      maxInputsPerCall: Math.max(textsPerCall, settings.batchSize),
      ...(settings.maxSeqLength !== undefined ? { maxTokensPerInput: settings.maxSeqLength } : {}),
      // Pooling modes are concatenated, so the vector is the token width times their number.
      ...(settings.tokenDimension !== undefined
        ? { dimensions: settings.tokenDimension * settings.pooling.length }
        : {}),
      normalized: settings.normalize,
      // One session already uses every CPU; a second call at once would only compete for them.
      supportsParallelCalls: false,
    };
    // Everything that changes a vector, the weights and tokenizer by content, so a changed file in a
    // model folder never reuses cached vectors.
    this.vectorOptions = Object.freeze({
      ...fingerprint,
      pooling: settings.pooling.join("+"),
      includePrompt: settings.includePrompt,
      normalize: settings.normalize,
      maxSeqLength: settings.maxSeqLength ?? null,
      doLowerCase: settings.doLowerCase,
      queryPrompt: settings.prompts.query,
      documentPrompt: settings.prompts.document,
    });
  }

  static async create(settings: ProviderSettings): Promise<LocalEmbeddingProvider> {
    const resolved = await resolveLocalModelSettings(settings);
    const tokenizer = await SentenceTokenizer.load(resolved.folder);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(resolved.onnxFile, {
        intraOpNumThreads: resolved.threads,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
        // Idle pool threads would otherwise spin between batches and take a core from the
        // JavaScript thread that is tokenising and pooling at that moment.
        extra: { session: { intra_op: { allow_spinning: "0" } } },
      });
    } catch (error) {
      throw new ConfigError(`onnxruntime could not load ${resolved.onnxFile}: ${(error as Error).message}`, {
        cause: error,
        hint: "Check that the file is a complete ONNX model (a partial download is the usual cause).",
      });
    }
    const unknownInputs = session.inputNames.filter((name) => !knownInputs.has(name));
    if (!session.inputNames.includes("input_ids") || unknownInputs.length > 0) {
      await session.release();
      throw new ConfigError(
        `${resolved.onnxFile} takes inputs this provider does not supply: ${(unknownInputs.length > 0 ? unknownInputs : ["(no input_ids)"]).join(", ")}.`,
        {
          hint: "Only encoder exports taking input_ids, attention_mask, token_type_ids and position_ids run here (decoder exports with past_key_values do not).",
        },
      );
    }
    const fingerprint = {
      weightsSha256: await fileSha256(resolved.onnxFile),
      tokenizerSha256: await fileSha256(join(resolved.folder, "tokenizer.json")),
    };
    return new LocalEmbeddingProvider(settings.model, resolved, tokenizer, session, fingerprint);
  }

  /** Tokens sentence-transformers masks out of pooling for this prompt: the prompt tokenised, minus [SEP]. */
  private promptLength(inputType: InputType): number {
    const prompt = this.settings.prompts[inputType];
    if (this.settings.includePrompt || prompt.length === 0) return 0;
    let length = this.promptLengths.get(inputType);
    if (length === undefined) {
      const prepared = prepareText(prompt, "", this.settings.doLowerCase);
      length = this.tokenizer.encode(prepared, this.settings.maxSeqLength).ids.length - 1;
      this.promptLengths.set(inputType, length);
    }
    return length;
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    const { texts, inputType, signal } = request;
    if (signal?.aborted) throw abortReason(signal, "local model");
    if (texts.length > this.capabilities.maxInputsPerCall) {
      throw new EmbedEvalError(
        "internal",
        `The local provider takes at most ${this.capabilities.maxInputsPerCall} texts per call; got ${texts.length}.`,
        { hint: "Batch by capabilities.maxInputsPerCall before calling embed." },
      );
    }
    const prompt = this.settings.prompts[inputType];
    const tokenized = texts.map((text) =>
      this.tokenizer.encode(prepareText(prompt, text, this.settings.doLowerCase), this.settings.maxSeqLength),
    );
    const order = tokenized
      .map((_, index) => index)
      .sort((left, right) => (tokenized[right]?.ids.length ?? 0) - (tokenized[left]?.ids.length ?? 0));
    const embeddings = new Array<Float32Array>(texts.length);
    const skipped = this.promptLength(inputType);
    for (let start = 0; start < order.length; start += this.settings.batchSize) {
      // A run cannot be stopped once started; between batches the signal is honoured.
      if (signal?.aborted) throw abortReason(signal, "local model");
      const indices = order.slice(start, start + this.settings.batchSize);
      const vectors = await this.runBatch(
        indices.map((index) => tokenized[index] as TokenizedText),
        skipped,
      );
      indices.forEach((index, position) => {
        embeddings[index] = vectors[position] as Float32Array;
      });
    }
    const warnings = this.warningsToReport;
    this.warningsToReport = [];
    return {
      embeddings,
      // Counted by the model's own tokenizer, special tokens included: exact, not an estimate.
      usage: { tokens: tokenized.reduce((sum, item) => sum + item.ids.length, 0), source: "provider" },
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  private async runBatch(batch: readonly TokenizedText[], skipped: number): Promise<Float32Array[]> {
    const sequence = Math.max(...batch.map((item) => item.ids.length));
    const size = batch.length * sequence;
    const inputIds = new BigInt64Array(size);
    const attentionMask = new BigInt64Array(size);
    const typeIds = new BigInt64Array(size);
    const positionIds = new BigInt64Array(size);
    const poolingMask = new Uint8Array(size);
    batch.forEach((item, row) => {
      const offset = row * sequence;
      // Padded on the right with id 0 under a zero mask; attention never looks at padding.
      for (let position = 0; position < sequence; position++)
        positionIds[offset + position] = BigInt(position);
      item.ids.forEach((id, position) => {
        inputIds[offset + position] = BigInt(id);
        attentionMask[offset + position] = 1n;
        typeIds[offset + position] = BigInt(item.typeIds[position] ?? 0);
        poolingMask[offset + position] = position < skipped ? 0 : 1;
      });
    });
    const dims = [batch.length, sequence];
    const available: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor("int64", inputIds, dims),
      attention_mask: new ort.Tensor("int64", attentionMask, dims),
      token_type_ids: new ort.Tensor("int64", typeIds, dims),
      position_ids: new ort.Tensor("int64", positionIds, dims),
    };
    const feeds = Object.fromEntries(
      this.session.inputNames.map((name) => [name, available[name] as ort.Tensor]),
    );
    let output: ort.Tensor;
    try {
      const results = await this.session.run(feeds);
      output = results[this.outputName] as ort.Tensor;
    } catch (error) {
      throw new ProviderError(`onnxruntime failed to run ${this.modelId}: ${(error as Error).message}`, {
        provider: this.provider,
        retryable: false,
        providerCode: "OnnxRuntimeError",
        cause: error,
        hint: "The model's ONNX file may not match its tokenizer (token ids beyond the vocabulary) or be damaged.",
      });
    }
    const [outputBatch, outputSequence, hidden] = output.dims;
    if (
      output.type !== "float32" ||
      output.dims.length !== 3 ||
      outputBatch !== batch.length ||
      outputSequence !== sequence
    ) {
      throw new ProviderError(
        `${this.modelId} returned ${output.type} ${JSON.stringify(output.dims)} from ${this.outputName}; expected float32 [${batch.length}, ${sequence}, hidden].`,
        {
          provider: this.provider,
          retryable: false,
          providerCode: "UnexpectedOutput",
          hint: "Use a feature-extraction ONNX export whose output is the token embeddings.",
        },
      );
    }
    const declared = this.capabilities.dimensions;
    if (declared !== undefined && (hidden as number) * this.settings.pooling.length !== declared) {
      throw new ProviderError(
        `${this.modelId} returned token embeddings of width ${hidden}, so vectors of ${(hidden as number) * this.settings.pooling.length} dimensions; its configuration declares ${declared}.`,
        {
          provider: this.provider,
          retryable: false,
          providerCode: "WrongDimension",
          hint: "The ONNX file and 1_Pooling/config.json (word_embedding_dimension) or config.json (hidden_size) belong to different models.",
        },
      );
    }
    const pooled = poolTokenEmbeddings(
      {
        data: output.data as Float32Array,
        batch: batch.length,
        sequence,
        hidden: hidden as number,
        mask: poolingMask,
      },
      this.settings.pooling,
    );
    output.dispose();
    return this.settings.normalize ? pooled.map(normalizeVector) : pooled;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
