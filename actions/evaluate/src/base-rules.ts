import { existsSync } from "node:fs";
import { relative, sep } from "node:path";
import * as core from "@actions/core";
import { type EmbedEvalConfig, formatError, parseConfig, UsageError } from "@embedeval/core";
import type { GitHubApi } from "./github-api.js";
import type { MergeBase } from "./merge-base.js";

/** The rules a pull request is judged by, and what the report says about where they came from. */
export interface GateRules {
  rule: EmbedEvalConfig["compare"];
  /** The config name the baseline is looked up by and the sticky comment is marked with. */
  configName: string;
  /** Sentences for the comment, the summary and the log: rules changed, config renamed, no base config. */
  notes: string[];
}

export interface GateRulesOptions {
  /** The config as the pull request has it (what was evaluated). */
  config: EmbedEvalConfig;
  workspace: string;
  api: GitHubApi | undefined;
  /** Undefined outside a pull request: a push is judged by its own rules (nothing to guard against). */
  mergeBase: MergeBase | undefined;
}

/**
 * The gate a pull request cannot move: the compare rules and the config name are read from the config as it
 * is at the merge-base (GitHub contents API), so a PR that relaxes `maxDrop`, renames the config file or
 * changes its `name:` is still judged by the base's rules and against the base's baseline. The PR's own
 * rules take effect once it is merged; the comment says they changed.
 */
export async function resolveGateRules(options: GateRulesOptions): Promise<GateRules> {
  const { config, api, mergeBase } = options;
  const own: GateRules = { rule: config.compare, configName: config.name, notes: [] };
  if (!mergeBase || !api) return own;
  const path = repositoryPath(options.workspace, config.file);
  const renamed = mergeBase.changedFiles.find(
    (file) => file.filename === path && file.status === "renamed" && file.previousFilename,
  );
  const basePath = renamed?.previousFilename ?? path;
  const short = mergeBase.commit.slice(0, 7);
  let text: string | undefined;
  try {
    text = await api.readFile(mergeBase.commit, basePath);
  } catch (error) {
    const note = `The config at the ${mergeBase.source} ${short} could not be read (${formatError(error).replace(/\s+/g, " ")}): this pull request's own compare rules were used.`;
    core.warning(note);
    return { ...own, notes: [note] };
  }
  if (text === undefined) {
    const note = `${path} does not exist at the ${mergeBase.source} ${short}: this pull request adds it (or renames it without git seeing a rename), so there are no base rules to apply and its own compare rules were used.`;
    core.warning(note);
    return { ...own, notes: [note] };
  }
  let base: EmbedEvalConfig;
  try {
    base = parseConfig(text, config.file);
  } catch (error) {
    const note = `The config at the ${mergeBase.source} ${short} is not valid for this version of embedeval (${formatError(error).replace(/\s+/g, " ")}): this pull request's own compare rules were used.`;
    core.warning(note);
    return { ...own, notes: [note] };
  }
  const notes: string[] = [];
  if (renamed) notes.push(`This pull request renames the config ${basePath} to ${path}.`);
  if (base.name !== config.name) {
    notes.push(
      `This pull request renames the config from ${base.name} to ${config.name}: compared with the baseline recorded for ${base.name}.`,
    );
  }
  const changes = ruleChanges(base.compare, config.compare);
  if (changes.length > 0) {
    notes.push(
      `This pull request changes the compare rules (${changes.join("; ")}). They apply once it is merged; this run is judged by the rules at the ${mergeBase.source} ${short}.`,
    );
  }
  for (const note of notes) core.notice(note);
  return { rule: base.compare, configName: base.name, notes };
}

/**
 * A config the base branch gates that this pull request deletes: reported as such, never a bare "config file
 * not found" (and never skipped: the workflow still asks for it).
 */
export function assertConfigPresent(configFile: string, workspace: string, inPullRequest: boolean): void {
  if (existsSync(configFile) || !inPullRequest) return;
  throw new UsageError(
    `config ${repositoryPath(workspace, configFile)} is not in this pull request's checkout: the pull request removes or renames it`,
    {
      hint: "The gate reads its rules from the base branch's config; if the pull request moves the config, point the workflow's `config:` input at the new path in the same pull request, and the base's rules still apply.",
    },
  );
}

/** What differs between the base's rules and the pull request's, one short phrase per key. */
export function ruleChanges(base: EmbedEvalConfig["compare"], head: EmbedEvalConfig["compare"]): string[] {
  const keys = ["metric", "maxDrop", "significance", "resamples", "seed", "overrides"] as const;
  return keys
    .filter((key) => JSON.stringify(base[key]) !== JSON.stringify(head[key]))
    .map((key) =>
      key === "overrides" && base.overrides.length === head.overrides.length
        ? `overrides: ${describe(base.overrides)} changed`
        : `${key}: ${describe(base[key])} → ${describe(head[key])}`,
    );
}

function describe(value: unknown): string {
  if (typeof value === "object" && value !== null && "kind" in value && "amount" in value) {
    const drop = value as { kind: string; amount: number };
    return drop.kind === "absolute"
      ? `${Number((drop.amount * 100).toFixed(4))} points`
      : `${Number((drop.amount * 100).toFixed(4))}%`;
  }
  if (Array.isArray(value)) return `${value.length} override${value.length === 1 ? "" : "s"}`;
  return String(value);
}

/** The config's path inside the repository, with forward slashes (as the contents API names files). */
export function repositoryPath(workspace: string, file: string): string {
  return relative(workspace, file).split(sep).join("/");
}
