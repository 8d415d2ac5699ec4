import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { ConfigError, closestMatch } from "@embedeval/provider-contract";
import { LineCounter, parseDocument } from "yaml";
import { builtinProviderNames, isPluginPath } from "../builtin-providers/provider-names.js";
import { defaultCompareRule } from "../compare/compare-rule.js";
import { hubModelName } from "../results/mteb-model-meta.js";
import {
  defaultCancelGraceSeconds,
  defaultRetryAfterCapSeconds,
  defaultRetryBudgetSeconds,
} from "../runtime/runtime-settings.js";
import { typedTaskMetricNames } from "../tasks/evaluate-typed-task.js";
import {
  findMtebBenchmark,
  findMtebTask,
  type MtebRetrievalTask,
  mtebBenchmarkTasks,
  mtebRetrievalTasks,
  suggestMtebTask,
} from "../tasks/mteb-task-registry.js";
import { loadsFromHub, localTaskTypeOf } from "../tasks/mteb-typed-hub-task.js";
import {
  findMtebTypedTask,
  type MtebTypedTask,
  mtebTypedTaskList,
  mtebTypedTasksBenchmark,
} from "../tasks/mteb-typed-tasks.js";
import { retrievalMetricNames } from "../tasks/retrieval-task.js";
import type { LocalTaskType } from "../tasks/typed-task-folder.js";
import { configSchema } from "./config-schema.js";
import type {
  CompareOverride,
  DropRule,
  EmbedEvalConfig,
  ModelConfig,
  RuntimeSettings,
  TaskConfig,
} from "./config-types.js";
import { type ConfigIssue, validateAgainstSchema } from "./validate-against-schema.js";

export const defaultRuntimeSettings: RuntimeSettings = {
  maxConcurrency: 4,
  timeoutSeconds: 60,
  retryBudgetSeconds: defaultRetryBudgetSeconds,
  retryAfterCapSeconds: defaultRetryAfterCapSeconds,
  cancelGraceSeconds: defaultCancelGraceSeconds,
};

/**
 * Aliases a config may expand to, in all: plenty for `options: *shared` on every model of a long list,
 * and a config error for an alias bomb (a "billion laughs" of nested aliases) before it expands.
 */
const maxAliasCount = 1000;

/**
 * Reads, validates and normalises an `embedeval.yml`. Every problem is reported at once, each with
 * file, line and key, what was expected, and the closest valid value when there is one.
 */
export async function loadConfig(file: string): Promise<EmbedEvalConfig> {
  const absolute = resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === "ENOENT" ? `config file not found: ${file}` : `cannot read config file ${file}: ${code}`,
      { file, hint: "Pass --config <file>, or run `embedeval init` to write a starter embedeval.yml." },
    );
  }
  return parseConfig(text, absolute);
}

/** Parses config text; `file` is used for messages and to resolve relative paths. */
export function parseConfig(text: string, file: string): EmbedEvalConfig {
  const displayName = relative(process.cwd(), file) || file;
  const lineCounter = new LineCounter();
  // merge: `<<: *defaults` merges a mapping in, as YAML 1.1 (and most users' habits) has it.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const line = first ? lineCounter.linePos(first.pos[0]).line : 1;
    throw new ConfigError(`invalid YAML: ${first?.message.split("\n")[0] ?? "parse error"}`, {
      file: displayName,
      line,
      hint: "Check indentation and quoting around this line.",
    });
  }

  // Converted first, with a bound on alias expansion: the schema walk below follows aliases too, and
  // must never meet a bomb.
  let raw: Record<string, unknown> | null;
  try {
    raw = document.toJS({ maxAliasCount }) as Record<string, unknown> | null;
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new ConfigError(
      `YAML aliases expand past ${maxAliasCount} nodes (${error.message.split("\n")[0]})`,
      {
        file: displayName,
        hint: "Aliases (`*name`) may repeat anchored values, but not nest into an exponential expansion; write the values out, or alias fewer levels deep.",
      },
    );
  }
  const issues = validateAgainstSchema(document.contents, configSchema, lineCounter, "", 1, document);

  // Checks the schema cannot express: unique ids, provider names close to a built-in.
  const models = (Array.isArray(raw?.models) ? raw.models : []) as Record<string, unknown>[];
  const seenIds = new Map<string, number>();
  models.forEach((model, index) => {
    const line = lineAt(document, lineCounter, ["models", index]);
    if (typeof model?.id === "string") {
      if (seenIds.has(model.id)) {
        issues.push({
          path: `models[${index}].id`,
          line,
          message: `model id \`${model.id}\` is used twice (also models[${seenIds.get(model.id)}]); ids must be unique`,
        });
      } else {
        seenIds.set(model.id, index);
      }
    }
    const provider = model?.provider;
    // A path (`./plugins/mock.mjs`) names a local plugin file: never a misspelt built-in.
    if (
      typeof provider === "string" &&
      !isPluginPath(provider) &&
      !(builtinProviderNames as readonly string[]).includes(provider)
    ) {
      const suggestion = closestMatch(provider, builtinProviderNames);
      if (suggestion) {
        issues.push({
          path: `models[${index}].provider`,
          line: lineAt(document, lineCounter, ["models", index, "provider"]),
          message: `unknown provider \`${provider}\`; did you mean \`${suggestion}\`?`,
        });
      }
    }
  });
  const rawTasks = (Array.isArray(raw?.tasks) ? raw.tasks : []) as Record<string, unknown>[];
  // `- benchmark: NanoBEIR` stands for its tasks by name; `index` stays the entry's place in the file.
  const tasks = rawTasks.flatMap((task, index) => {
    const benchmark = typeof task?.benchmark === "string" ? findMtebBenchmark(task.benchmark) : undefined;
    if (!benchmark) return [{ task, index, key: "name" }];
    // MTEB(eng, v2)'s tasks of the other types join its retrieval tasks: those that load by name (the
    // rest, whose preparation is not ported yet, are listed in docs/task-types.md).
    const typed = benchmark.name === mtebTypedTasksBenchmark ? mtebTypedTaskList.filter(loadsFromHub) : [];
    return [...mtebBenchmarkTasks(benchmark), ...typed].map((entry) => ({
      task: { name: entry.name },
      index,
      key: "benchmark",
    }));
  });
  for (const [index, task] of rawTasks.entries()) {
    issues.push(...benchmarkEntryIssues(task, index, document, lineCounter));
  }
  const seenTasks = new Set<string>();
  tasks.forEach(({ task, index, key }) => {
    if (typeof task?.name === "string") {
      if (seenTasks.has(task.name)) {
        issues.push({
          path: `tasks[${index}].name`,
          line: lineAt(document, lineCounter, ["tasks", index, key]),
          message: `task name \`${task.name}\` is used twice (a benchmark counts each of its tasks); names must be unique`,
        });
      }
      seenTasks.add(task.name);
    }
    if (task && typeof task === "object" && key === "name")
      issues.push(...taskSourceIssues(task, index, document, lineCounter));
  });

  // The gated metric must be one the results hold: a typo (`ndcg@10`) would otherwise match nothing and
  // turn the regression gate off without a word.
  // A problem at a YAML path such as compare.overrides[0].metric, with the line it is on.
  const addIssue = (path: (string | number)[], message: string) =>
    issues.push({
      path: path
        .map((part) => (typeof part === "number" ? `[${part}]` : `.${part}`))
        .join("")
        .slice(1),
      line: lineAt(document, lineCounter, path),
      message,
    });
  const knownMetrics = [...retrievalMetricNames, ...typedTaskMetricNames, "main_score"];
  const checkMetric = (value: unknown, path: (string | number)[]) => {
    if (typeof value !== "string" || knownMetrics.includes(value)) return;
    const suggestion =
      closestMatch(value.replace("@", "_at_").toLowerCase(), knownMetrics) ??
      closestMatch(value, knownMetrics);
    addIssue(
      path,
      `unknown metric \`${value}\`` +
        (suggestion
          ? `; did you mean \`${suggestion}\`?`
          : `; expected a name such as ndcg_at_10, map_at_100, recall_at_1000, mrr_at_10 or main_score`),
    );
  };
  // A relative drop of more than 100% can never happen: such a rule would never fail.
  const checkDrop = (value: unknown, path: (string | number)[]) => {
    if (typeof value !== "string" || !value.endsWith("%") || Number(value.slice(0, -1)) <= 100) return;
    addIssue(
      path,
      `maxDrop \`${value}\` can never be reached (a score cannot drop by more than 100%); use a value up to "100%"`,
    );
  };
  const compareRaw = (raw?.compare ?? {}) as Record<string, unknown>;
  checkDrop(compareRaw.maxDrop, ["compare", "maxDrop"]);
  checkMetric(compareRaw.metric, ["compare", "metric"]);
  ((Array.isArray(compareRaw.overrides) ? compareRaw.overrides : []) as Record<string, unknown>[]).forEach(
    (override, index) => {
      checkMetric(override?.metric, ["compare", "overrides", index, "metric"]);
      checkDrop(override?.maxDrop, ["compare", "overrides", index, "maxDrop"]);
    },
  );

  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line);
    const first = issues[0] as (typeof issues)[number];
    const rest = issues.slice(1).map((issue) => `\n  ${displayName}:${issue.line}: ${issue.message}`);
    throw new ConfigError(`${first.message}${rest.join("")}`, {
      file: displayName,
      line: first.line,
      key: first.path,
      hint: "See `embedeval schema` for every key, or `embedeval init` for a commented example.",
    });
  }

  const baseDirectory = dirname(file);
  const compare = (raw?.compare ?? {}) as Record<string, unknown>;
  const cache = (raw?.cache ?? {}) as Record<string, unknown>;
  const output = (raw?.output ?? {}) as Record<string, unknown>;

  return {
    file,
    baseDirectory,
    name: typeof raw?.name === "string" ? raw.name : relative(process.cwd(), file) || "embedeval.yml",
    models: withHubNames(
      models.map((model, index) => toModelConfig(model, lineAt(document, lineCounter, ["models", index]))),
    ),
    tasks: tasks.map(({ task, index }) =>
      toTaskConfig(task, baseDirectory, lineAt(document, lineCounter, ["tasks", index])),
    ),
    compare: {
      metric: (compare.metric as string | undefined) ?? defaultCompareRule.metric,
      maxDrop: compare.maxDrop === undefined ? defaultCompareRule.maxDrop : toDropRule(compare.maxDrop),
      significance: (compare.significance as number | undefined) ?? defaultCompareRule.significance,
      resamples: (compare.resamples as number | undefined) ?? defaultCompareRule.resamples,
      seed: (compare.seed as number | undefined) ?? defaultCompareRule.seed,
      overrides: ((compare.overrides as Record<string, unknown>[] | undefined) ?? []).map(toOverride),
    },
    cache: {
      enabled: (cache.enabled as boolean | undefined) ?? true,
      directory: resolve(baseDirectory, (cache.directory as string | undefined) ?? ".embedeval/cache"),
    },
    output: {
      directory: resolve(baseDirectory, (output.directory as string | undefined) ?? "embedeval-results"),
    },
  };
}

/**
 * A model whose provider model id is a hub name (`BAAI/bge-base-en-v1.5`) gets it as `hubName`, which
 * names its MTEB results folder, unless another model in the config has the same name and revision
 * (say, two dimension settings): their results would share a folder, so both keep their config ids.
 */
function withHubNames(models: ModelConfig[]): ModelConfig[] {
  const key = (model: ModelConfig) => `${hubModelName(model.model)}\u0000${model.revision}`;
  const counts = new Map<string, number>();
  for (const model of models) counts.set(key(model), (counts.get(key(model)) ?? 0) + 1);
  return models.map((model) => {
    const hubName = hubModelName(model.model);
    return hubName !== undefined && counts.get(key(model)) === 1 ? { ...model, hubName } : model;
  });
}

function toModelConfig(raw: Record<string, unknown>, line: number): ModelConfig {
  const runtime = (raw.runtime ?? {}) as Partial<RuntimeSettings>;
  const model: ModelConfig = {
    id: raw.id as string,
    provider: raw.provider as string,
    model: (raw.model as string | undefined) ?? (raw.provider as string),
    options: (raw.options as Record<string, unknown> | undefined) ?? {},
    similarity: (raw.similarity as "cosine" | "dot" | undefined) ?? "cosine",
    queryPrefix: (raw.queryPrefix as string | undefined) ?? "",
    documentPrefix: (raw.documentPrefix as string | undefined) ?? "",
    revision: (raw.revision as string | undefined) ?? "no_revision_available",
    runtime: { ...defaultRuntimeSettings, ...runtime },
    line,
  };
  if (typeof raw.pricePerMillionTokens === "number") model.pricePerMillionTokens = raw.pricePerMillionTokens;
  return model;
}

/** A `benchmark:` entry takes no other key; any other entry needs a `name`. */
function benchmarkEntryIssues(
  task: Record<string, unknown>,
  index: number,
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
): ConfigIssue[] {
  if (!task || typeof task !== "object") return [];
  const line = lineAt(document, lineCounter, ["tasks", index]);
  if (task.benchmark === undefined) {
    return task.name === undefined
      ? [
          {
            path: `tasks[${index}]`,
            line,
            message: "a task needs `name` (or `benchmark` for all of a benchmark's retrieval tasks)",
          },
        ]
      : [];
  }
  const others = Object.keys(task).filter((key) => key !== "benchmark");
  return others.length === 0
    ? []
    : [
        {
          path: `tasks[${index}].benchmark`,
          line,
          message: `\`benchmark\` takes no other key (found ${others.map((key) => `\`${key}\``).join(", ")}); list a task by its own \`name\` to change its splits or revision`,
        },
      ];
}

/**
 * Where a task's data comes from: exactly one of `path` (a local BEIR folder), `hub` (a hub dataset),
 * or an MTEB task name from the registry. A name that is none of these is most often a typo of an
 * MTEB name, so the message suggests the closest one.
 */
function taskSourceIssues(
  task: Record<string, unknown>,
  index: number,
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
): ConfigIssue[] {
  const at = (key: string) => lineAt(document, lineCounter, ["tasks", index, key]);
  const issues: ConfigIssue[] = [];
  const hasPath = task.path !== undefined;
  const hasHub = task.hub !== undefined;
  if (hasPath && hasHub) {
    issues.push({
      path: `tasks[${index}].hub`,
      line: at("hub"),
      message: "a task takes `path` (a local BEIR folder) or `hub` (a hub dataset), not both",
    });
  }
  if (hasPath && task.revision !== undefined) {
    issues.push({
      path: `tasks[${index}].revision`,
      line: at("revision"),
      message: "`revision` applies to hub datasets; remove it, or replace `path` with `hub`",
    });
  }
  const typedTask = typeof task.name === "string" ? findMtebTypedTask(task.name) : undefined;
  if (!hasPath && !hasHub && typedTask) {
    if (!loadsFromHub(typedTask)) {
      issues.push({
        path: `tasks[${index}].name`,
        line: at("name"),
        message: `MTEB task \`${typedTask.name}\` (${typedTask.type}) does not load from the hub by name yet (${typedTask.layout}); give it a local \`path\` in the layout of docs/task-types.md`,
      });
    }
    return issues;
  }
  if (!hasPath && task.type !== undefined && task.type !== "retrieval") {
    issues.push({
      path: `tasks[${index}].path`,
      line: at("type"),
      message: `a task of type \`${String(task.type)}\` reads a local folder: add \`path:\` (docs/task-types.md shows the layout; \`embedeval init --task-type ${String(task.type)}\` writes an example)`,
    });
    return issues;
  }
  if (!hasPath && !hasHub && typeof task.name === "string" && !findMtebTask(task.name)) {
    const suggestion = suggestMtebTask(task.name);
    issues.push({
      path: `tasks[${index}].name`,
      line: at("name"),
      message: suggestion
        ? `task \`${task.name}\` has no \`path\` or \`hub\` and is not an MTEB task name; did you mean \`${suggestion}\`?`
        : `task \`${task.name}\` has no \`path\` or \`hub\` and is not an MTEB task name (\`embedeval tasks\` lists the ${mtebRetrievalTasks.length}: ${mtebRetrievalTasks
            .slice(0, 3)
            .map((entry) => entry.name)
            .join(", ")}, ...); add \`path:\` for a local BEIR folder or \`hub:\` for a hub dataset`,
    });
  }
  return issues;
}

function toTaskConfig(raw: Record<string, unknown>, baseDirectory: string, line: number): TaskConfig {
  const name = raw.name as string;
  const splits = raw.splits as string[] | undefined;
  const ignoreIdenticalIds = raw.ignoreIdenticalIds as boolean | undefined;
  if (typeof raw.path === "string") {
    return {
      name,
      type: (raw.type as LocalTaskType | undefined) ?? "retrieval",
      path: resolve(baseDirectory, raw.path),
      splits: splits ?? ["test"],
      ignoreIdenticalIds: ignoreIdenticalIds ?? false,
      line,
    };
  }
  if (typeof raw.hub === "string") {
    // An MTEB dataset named by its hub id gets MTEB's task flags too (ArguAna drops self-hits whether
    // it is written `name: ArguAna` or `hub: mteb/arguana`); the config can still override each.
    const known = mtebRetrievalTasks.find((task) => task.repository === raw.hub);
    return {
      name,
      type: "retrieval",
      hub: raw.hub,
      revision: (raw.revision as string | undefined) ?? "main",
      splits: splits ?? (known ? [...known.splits] : ["test"]),
      ignoreIdenticalIds: ignoreIdenticalIds ?? known?.ignoreIdenticalIds ?? false,
      line,
    };
  }
  const typedTask = typeof raw.hub === "string" ? undefined : findMtebTypedTask(name);
  if (typedTask) return typedTaskConfig(typedTask, raw, line);
  // Validated above: the name is in the registry. The config may still override split, flag, revision.
  const task = findMtebTask(name) as MtebRetrievalTask;
  return {
    name,
    type: "retrieval",
    hub: task.repository,
    revision: (raw.revision as string | undefined) ?? task.revision,
    splits: splits ?? [...task.splits],
    ignoreIdenticalIds: ignoreIdenticalIds ?? task.ignoreIdenticalIds,
    line,
  };
}

/** An MTEB task of another type than retrieval, by name: its hub dataset, pinned revision and split. */
function typedTaskConfig(task: MtebTypedTask, raw: Record<string, unknown>, line: number): TaskConfig {
  return {
    name: task.name,
    type: localTaskTypeOf(task),
    hub: task.repository,
    revision: (raw.revision as string | undefined) ?? task.revision,
    splits: (raw.splits as string[] | undefined) ?? [task.split],
    ignoreIdenticalIds: false,
    line,
  };
}

function toOverride(raw: Record<string, unknown>): CompareOverride {
  const override: CompareOverride = {};
  if (typeof raw.task === "string") override.task = raw.task;
  if (typeof raw.model === "string") override.model = raw.model;
  if (typeof raw.metric === "string") override.metric = raw.metric;
  if (raw.maxDrop !== undefined) override.maxDrop = toDropRule(raw.maxDrop);
  if (typeof raw.significance === "number") override.significance = raw.significance;
  if (raw.level === "off" || raw.level === "warn" || raw.level === "error") override.level = raw.level;
  return override;
}

/** `0.01` is an absolute drop in the metric's units; `"2%"` is relative to the baseline. */
export function toDropRule(value: unknown): DropRule {
  if (typeof value === "string" && value.endsWith("%")) {
    return { kind: "relative", amount: Number(value.slice(0, -1)) / 100 };
  }
  return { kind: "absolute", amount: Number(value) };
}

function lineAt(
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: (string | number)[],
): number {
  const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
  const start = node?.range?.[0];
  return start === undefined ? 1 : lineCounter.linePos(start).line;
}
