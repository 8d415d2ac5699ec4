/**
 * The JSON Schema of `embedeval.yml`: one definition that serves two purposes. The config loader
 * validates against it (with file, line and "did you mean" messages), and `embedeval schema` writes it
 * out for editor completion (YAML language server: `# yaml-language-server: $schema=...`).
 *
 * Only the subset of JSON Schema that `validateAgainstSchema` understands is used here: type, properties,
 * required, additionalProperties: false, items, enum, minimum, maximum, minItems, pattern, oneOf of types.
 */

import { builtinProviderNames } from "../builtin-providers/provider-names.js";
import { defaultCompareRule } from "../compare/compare-rule.js";
import { mtebBenchmarkNames } from "../tasks/mteb-task-registry.js";
import { localTaskTypes } from "../tasks/typed-task-folder.js";

export interface SchemaNode {
  type?: "object" | "array" | "string" | "number" | "integer" | "boolean";
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  enum?: readonly (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  pattern?: string;
  /** What a value matching `pattern` looks like, in words, for messages (not written to the JSON Schema). */
  patternDescription?: string;
  /** Alternatives by type, e.g. a number or a string such as "2%". */
  oneOf?: SchemaNode[];
  default?: unknown;
  examples?: unknown[];
}

const dropRule: SchemaNode = {
  description:
    'Largest allowed drop before a change counts as a regression: a number in the metric\'s units (0.01 = one nDCG point) or a percentage of the baseline such as "2%".',
  oneOf: [
    { type: "number", minimum: 0 },
    { type: "string", pattern: "^\\d+(\\.\\d+)?%$", patternDescription: 'a percentage such as "2%"' },
  ],
};

const runtime: SchemaNode = {
  type: "object",
  description:
    "How the runtime calls this model's provider. Retries are bounded by time, not count: a failing batch is retried with backoff for `retryBudgetSeconds`; when the provider fails on every call, all calls pause and one probe call goes out every 1-5 s until one succeeds. An endpoint that never answers fails the run at most `timeoutSeconds + retryBudgetSeconds` (150 s by default) after its first call.",
  additionalProperties: false,
  properties: {
    maxConcurrency: { type: "integer", minimum: 1, default: 4, description: "Calls in flight at once." },
    requestsPerMinute: {
      type: "number",
      exclusiveMinimum: 0,
      description:
        "Upper bound on calls per minute; the runtime also slows down when throttled (once per throttling episode) and climbs back to the pace it had before.",
    },
    timeoutSeconds: { type: "number", exclusiveMinimum: 0, default: 60, description: "Per-call timeout." },
    retryBudgetSeconds: {
      type: "number",
      minimum: 0,
      default: 90,
      description:
        "How long one batch keeps retrying retryable failures (throttling, 5xx, timeouts, dropped connections), in seconds from its first attempt. The default rides out a 30 s outage.",
    },
    maxRetries: {
      type: "integer",
      minimum: 0,
      description:
        "Optional cap on the number of retries of one batch, on top of `retryBudgetSeconds`. Unset: only the time budget applies.",
    },
    retryAfterCapSeconds: {
      type: "number",
      minimum: 0,
      default: 60,
      description:
        "Longest `Retry-After` the runtime honours; a provider asking for longer is waited this long instead, and the run says so.",
    },
    cancelGraceSeconds: {
      type: "number",
      minimum: 0,
      default: 15,
      description:
        "On Ctrl-C or SIGTERM, how long calls already in flight (already paid for) may take to answer and be cached before they are abandoned.",
    },
    batchSize: {
      type: "integer",
      minimum: 1,
      description: "Texts per call; defaults to the provider's maximum.",
    },
  },
};

const model: SchemaNode = {
  type: "object",
  additionalProperties: false,
  required: ["id", "provider"],
  properties: {
    id: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$",
      patternDescription:
        "a name of letters, digits, `.`, `_` and `-` (up to 128, starting with a letter or digit)",
      description: "Unique name of this model in the config; names its results folder and report rows.",
      examples: ["titan-v2-512"],
    },
    provider: {
      type: "string",
      description: `Built-in provider (${builtinProviderNames.join(", ")}), the npm package name of a provider plugin, or the path of a local plugin file or folder starting with ./ (resolved against the config's folder).`,
      examples: [...builtinProviderNames],
    },
    model: {
      type: "string",
      pattern: "^[^\\p{Cc}]{1,512}$",
      patternDescription: "a model id without control characters (up to 512 characters)",
      description: "The provider's model id, e.g. amazon.titan-embed-text-v2:0.",
    },
    options: {
      type: "object",
      description: "Provider-specific options (dimensions, region, endpoint, ...).",
      additionalProperties: true,
    },
    similarity: {
      type: "string",
      enum: ["cosine", "dot"],
      default: "cosine",
      description: "How query and document vectors are compared.",
    },
    queryPrefix: { type: "string", default: "", description: 'Prepended to every query, e.g. "query: ".' },
    documentPrefix: { type: "string", default: "", description: "Prepended to every document." },
    revision: {
      type: "string",
      default: "no_revision_available",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$",
      patternDescription:
        "a revision of letters, digits, `.`, `_` and `-` (up to 128, starting with a letter or digit)",
      description: "Model revision, used as the folder name in the MTEB results layout.",
    },
    pricePerMillionTokens: {
      type: "number",
      minimum: 0,
      description: "USD per million input tokens; overrides the built-in list price.",
    },
    runtime,
  },
};

// `name` is required unless the entry is `benchmark:` (checked by the config loader, which names both).
const task: SchemaNode = {
  type: "object",
  additionalProperties: false,
  properties: {
    benchmark: {
      type: "string",
      enum: mtebBenchmarkNames(),
      description:
        "An MTEB benchmark whose retrieval tasks all run, each by its MTEB name with MTEB's dataset, revision and split: `MTEB(eng, v2)`, `MTEB(eng, v1)` or `NanoBEIR`. Takes no other key.",
      examples: ["NanoBEIR"],
    },
    name: {
      type: "string",
      // Exactly the characters a result file name keeps as they are: two task names never share a file.
      pattern: "^[\\p{L}\\p{N}][\\p{L}\\p{N} ._-]{0,127}$",
      patternDescription:
        "a name of letters, digits, spaces, `.`, `_` and `-` (up to 128, starting with a letter or digit)",
      description:
        "Task name shown in results and reports; names its result file. Without `path` or `hub`, an MTEB retrieval task name (SciFact, NFCorpus, ArguAna, FiQA2018, ...) whose dataset is downloaded from the Hugging Face hub.",
      examples: ["SciFact"],
    },
    type: {
      type: "string",
      enum: ["retrieval", ...localTaskTypes],
      default: "retrieval",
      description:
        "The MTEB task type. A registered MTEB task named without `path` loads from the hub; otherwise types other than retrieval read a local folder (`path`): <split>.jsonl with the type's columns (train.jsonl too for classification and multilabel-classification, BEIR files plus top_ranked.jsonl for reranking); `embedeval init --task-type sts` writes an example.",
    },
    path: {
      type: "string",
      description: "A local BEIR folder: corpus.jsonl, queries.jsonl, qrels/<split>.tsv (.gz accepted).",
    },
    hub: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$",
      description:
        "A Hugging Face hub dataset: BEIR files (corpus.jsonl, queries.jsonl, qrels/<split>.tsv), corpus/queries/qrels configs in its card, or corpus/, queries/, qrels/ folders of parquet or JSON lines; downloaded into huggingface_hub's cache (HF_HUB_CACHE) and checked.",
      examples: ["mteb/scifact"],
    },
    revision: {
      type: "string",
      // It becomes a URL segment and a path under the cache's refs/: never `..` or a leading `/`.
      pattern: "^(?!.*\\.\\.)[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$",
      patternDescription:
        "a branch, tag or 40-character commit (letters, digits, `.`, `_`, `-`, and `/` between parts; no `..`, no leading `/`)",
      description:
        "Branch, tag or commit of the hub dataset; defaults to `main`, or to the revision MTEB pins for an MTEB task name. Pin a commit for results that never change.",
    },
    splits: {
      type: "array",
      items: {
        type: "string",
        // A split names files (qrels/<split>.tsv): no `/`, no `..`.
        pattern: "^(?!.*\\.\\.)[A-Za-z0-9_-][A-Za-z0-9_.-]*$",
        patternDescription:
          "a split name of letters, digits, `.`, `_` and `-` (no `..`), such as test or dev",
      },
      minItems: 1,
      default: ["test"],
    },
    ignoreIdenticalIds: {
      type: "boolean",
      default: false,
      description: "Drop hits whose document id equals the query id (MTEB does so for ArguAna, Quora, ...).",
    },
  },
};

const override: SchemaNode = {
  type: "object",
  additionalProperties: false,
  properties: {
    task: { type: "string" },
    model: { type: "string" },
    metric: { type: "string" },
    maxDrop: dropRule,
    significance: { type: "number", exclusiveMinimum: 0, maximum: 1 },
    level: { type: "string", enum: ["off", "warn", "error"] },
  },
};

export const configSchema: SchemaNode = {
  type: "object",
  description: "embedeval configuration: the models and tasks to evaluate, and the rule for regressions.",
  additionalProperties: false,
  required: ["models", "tasks"],
  properties: {
    name: {
      type: "string",
      description: "Distinguishes several configs in one repository (one PR comment each).",
    },
    models: { type: "array", minItems: 1, items: model },
    tasks: { type: "array", minItems: 1, items: task },
    compare: {
      type: "object",
      additionalProperties: false,
      properties: {
        metric: { type: "string", default: defaultCompareRule.metric },
        maxDrop: { ...dropRule, default: defaultCompareRule.maxDrop.amount },
        significance: {
          type: "number",
          exclusiveMinimum: 0,
          maximum: 1,
          default: defaultCompareRule.significance,
        },
        resamples: { type: "integer", minimum: 100, default: defaultCompareRule.resamples },
        seed: { type: "integer", default: defaultCompareRule.seed },
        overrides: { type: "array", items: override },
      },
    },
    cache: {
      type: "object",
      additionalProperties: false,
      properties: {
        enabled: { type: "boolean", default: true },
        directory: { type: "string", default: ".embedeval/cache" },
      },
    },
    output: {
      type: "object",
      additionalProperties: false,
      properties: {
        directory: { type: "string", default: "embedeval-results" },
      },
    },
  },
};

/** The schema as a standalone JSON Schema document. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    // The published file itself (served as JSON), not a repository web page; `embedeval init` writes a
    // copy next to the config, which is what editors read.
    $id: "https://unpkg.com/@embedeval/core/embedeval.schema.json",
    title: "embedeval.yml",
    // patternDescription is for embedeval's own messages; JSON Schema has no such keyword.
    ...(JSON.parse(
      JSON.stringify(configSchema, (key, value) => (key === "patternDescription" ? undefined : value)),
    ) as Record<string, unknown>),
  };
}
