import * as core from "@actions/core";
import { UsageError } from "@embedeval/core";

export type ActionMode = "auto" | "evaluate" | "record" | "report" | "plan" | "shard";
/** The mode this run works in, once `auto` is decided by the event. */
export type RunMode = Exclude<ActionMode, "auto">;
/** The modes that compare head results with a baseline (the others plan or run one cell of a sharded run). */
export type CompareMode = Exclude<RunMode, "plan" | "shard">;
export type CommentPolicy = "always" | "on-change" | "never";

export interface ActionInputs {
  config: string;
  githubToken: string;
  mode: ActionMode;
  comment: CommentPolicy;
  failOnRegression: boolean;
  /** Fail the step when a gated (model, task) produced no result (default true). */
  failOnError: boolean;
  /** "auto" (results branch, merge-base), "none", or a results folder. */
  baseline: string;
  workingDirectory: string;
  /** Report mode: the folder with the head results (default: the config's output directory). */
  results: string;
  /** The branch that stores recorded results keyed by commit SHA. */
  resultsBranch: string;
  /** The artifact name the workflow uploads the HTML report under ("" : not mentioned in the comment). */
  reportArtifact: string;
  /** Plan mode: document ranges per dense model × retrieval task (1: one cell per model × task). */
  corpusShards: number;
  /** Shard mode: the cell to run, a shard id from plan mode's matrix. */
  shard: string;
  /** Shard mode: where the cell's shard file goes; report mode: the shard files to merge ("" : none). */
  shards: string;
}

/** Reads and validates the inputs declared in action.yml; a wrong value names the input and the choices. */
export function readInputs(): ActionInputs {
  return {
    config: core.getInput("config") || "embedeval.yml",
    githubToken: core.getInput("github-token"),
    mode: choice("mode", ["auto", "evaluate", "record", "report", "plan", "shard"], "auto"),
    comment: choice("comment", ["always", "on-change", "never"], "always"),
    failOnRegression: booleanInput("fail-on-regression", true),
    failOnError: booleanInput("fail-on-error", true),
    baseline: core.getInput("baseline") || "auto",
    workingDirectory: core.getInput("working-directory") || ".",
    results: core.getInput("results"),
    resultsBranch: core.getInput("results-branch") || "embedeval-results",
    reportArtifact: core.getInput("report-artifact").trim(),
    corpusShards: wholeNumberInput("corpus-shards", 1),
    shard: core.getInput("shard").trim(),
    shards: core.getInput("shards").trim(),
  };
}

/**
 * `auto`: record on a push to the default branch, report on workflow_run (the comment job of the fork-safe
 * pattern), evaluate otherwise.
 */
export function resolveMode(
  mode: ActionMode,
  eventName: string,
  ref: string,
  payload: Record<string, unknown>,
): RunMode {
  if (mode !== "auto") return mode;
  if (eventName === "workflow_run") return "report";
  if (eventName === "push") {
    const defaultBranch = (payload.repository as { default_branch?: string } | undefined)?.default_branch;
    if (defaultBranch && ref === `refs/heads/${defaultBranch}`) return "record";
  }
  return "evaluate";
}

function choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = core.getInput(name).trim().toLowerCase();
  if (value === "") return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`input \`${name}\` is \`${value}\`; expected one of ${allowed.join(", ")}`, {
    hint: `Fix \`with: ${name}:\` in the workflow file.`,
  });
}

function wholeNumberInput(name: string, fallback: number): number {
  const value = core.getInput(name).trim();
  if (value === "") return fallback;
  const number = Number(value);
  if (Number.isInteger(number) && number >= 1) return number;
  throw new UsageError(`input \`${name}\` is \`${value}\`; expected a whole number of at least 1`, {
    hint: `Fix \`with: ${name}:\` in the workflow file.`,
  });
}

function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name).trim().toLowerCase();
  if (value === "") return fallback;
  if (["true", "yes", "1", "on"].includes(value)) return true;
  if (["false", "no", "0", "off"].includes(value)) return false;
  throw new UsageError(`input \`${name}\` is \`${value}\`; expected true or false`, {
    hint: `Fix \`with: ${name}:\` in the workflow file.`,
  });
}
