import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TaskResult, writeTaskResult } from "@embedeval/core";
import { afterAll, beforeAll } from "vitest";
import { resultsPath } from "../src/results-branch-store.js";
import { FakeGitHubServer } from "./fake-github-server.js";
import { type ActionRunOptions, ensureDist, runAction } from "./run-action.js";
export const fixture = join(import.meta.dirname, "fixtures/tiny-beir");
export const sha = (character: string) => character.repeat(40);
// main: M1 (recorded) <- M2 (the PR's merge-base, not recorded) <- M3 (base tip, recorded with other scores)
export const M1 = sha("1");
export const M2 = sha("2");
export const M3 = sha("3");
export const H1 = sha("a");
export const H2 = sha("b");

export function pullRequestEvent(number: number, head: string, options: { fork?: boolean } = {}) {
  return {
    action: "synchronize",
    number,
    repository: { full_name: "octo-org/retrieval", default_branch: "main" },
    pull_request: {
      number,
      base: { sha: M3, ref: "main", repo: { full_name: "octo-org/retrieval" } },
      head: {
        sha: head,
        ref: "feature",
        repo: { full_name: options.fork ? "stranger/retrieval" : "octo-org/retrieval" },
      },
    },
  };
}

/** What varies between the pull_request runs below; the rest of the call is the same for all of them. */
export interface PullRequestRun {
  number: number;
  /** The pull request's head commit: H1 unless the case pushes again. */
  head?: string;
  /** The merge commit GitHub checks out for the run (refs/pull/N/merge), as one repeated character. */
  merge: string;
  fork?: boolean;
  /** Inputs besides the token (the default token is "ghs_test"). */
  inputs?: Record<string, string>;
  environment?: Record<string, string>;
  control?: ActionRunOptions["control"];
}

/** The action on a pull_request event, as GitHub starts it for `run.number` at `run.head`. */
export function runOnPullRequest(server: FakeGitHubServer, workspace: string, run: PullRequestRun) {
  return runAction({
    apiUrl: server.url,
    workspace,
    eventName: "pull_request",
    event: pullRequestEvent(run.number, run.head ?? H1, { fork: run.fork ?? false }),
    sha: sha(run.merge),
    ref: `refs/pull/${run.number}/merge`,
    inputs: { "github-token": "ghs_test", ...run.inputs },
    ...(run.environment ? { environment: run.environment } : {}),
    ...(run.control ? { control: run.control } : {}),
  });
}

/** The action on a push of `commit` to the default branch (mode auto: record). */
export function runOnPush(server: FakeGitHubServer, workspace: string, commit: string) {
  return runAction({
    apiUrl: server.url,
    workspace,
    eventName: "push",
    event: { repository: { full_name: "octo-org/retrieval", default_branch: "main" } },
    sha: commit,
    ref: "refs/heads/main",
    inputs: { "github-token": "ghs_test" },
  });
}

/** The comment job of the fork-safe pattern: a workflow_run event for the PR's run of H1, on main. */
export function runReportJob(
  server: FakeGitHubServer,
  workspace: string,
  headRepository: string,
  inputs: Record<string, string> = {},
) {
  return runAction({
    apiUrl: server.url,
    workspace,
    eventName: "workflow_run",
    event: workflowRunEvent(H1, headRepository),
    sha: M3,
    ref: "refs/heads/main",
    inputs: { "github-token": "ghs_test", ...inputs },
  });
}

/** A workflow_run event as GitHub sends it for a finished pull_request run (forks list no pull_requests). */
export function workflowRunEvent(headSha: string, headRepository: string) {
  return {
    action: "completed",
    workflow_run: {
      event: "pull_request",
      head_sha: headSha,
      head_repository: { full_name: headRepository },
      pull_requests: [],
    },
    repository: { full_name: "octo-org/retrieval", default_branch: "main" },
  };
}

export function config(name: string, tfidfDimensions: number, maxDrop = 0.01): string {
  return [
    `name: ${name}`,
    "models:",
    "  - id: bm25",
    "    provider: bm25",
    "  - id: tfidf",
    "    provider: tfidf",
    `    options: { dimensions: ${tfidfDimensions} }`,
    "tasks:",
    "  - name: Tiny",
    "    path: ./data",
    "    splits: [test]",
    "compare:",
    "  metric: ndcg_at_10",
    `  maxDrop: ${maxDrop}`,
    "cache:",
    "  directory: ./.embedeval-cache",
    "output:",
    "  directory: ./results",
    "",
  ].join("\n");
}

export async function workspaceWith(configText: string): Promise<string> {
  const workspace = await mkdtemp(join(tmpdir(), "embedeval-action-"));
  await cp(fixture, join(workspace, "data"), { recursive: true });
  await writeFile(join(workspace, "embedeval.yml"), configText);
  return workspace;
}

export async function writeResults(directory: string, results: TaskResult[]): Promise<void> {
  for (const result of results) await writeTaskResult(directory, result);
}

export function seedBaseline(
  server: FakeGitHubServer,
  commit: string,
  configName: string,
  results: TaskResult[],
): void {
  server.seedFile(
    "embedeval-results",
    resultsPath(commit, configName),
    JSON.stringify({ schema: 1, commit, configName, recordedAt: "2026-11-20T00:00:00Z", results }),
  );
}

const workspaces: string[] = [];
export async function track(workspace: Promise<string>): Promise<string> {
  const path = await workspace;
  workspaces.push(path);
  return path;
}

/** Builds the bundle once, and removes every tracked workspace after the file's tests. */
export function useBundledAction(): void {
  beforeAll(async () => {
    await ensureDist();
  }, 120_000);
  afterAll(async () => {
    for (const workspace of workspaces.splice(0)) await rm(workspace, { recursive: true, force: true });
  });
}

export function newServer(): FakeGitHubServer {
  const server = new FakeGitHubServer();
  server.addCommits([
    { sha: M1, date: "2026-11-20T00:00:00Z" },
    { sha: M2, parent: M1, date: "2026-11-22T00:00:00Z" },
    { sha: M3, parent: M2, date: "2026-11-25T00:00:00Z" },
  ]);
  server.mergeBases.set(`${M3}...${H1}`, M2);
  server.mergeBases.set(`${M3}...${H2}`, M2);
  return server;
}

/** The fake GitHub of a describe block, started before its tests and stopped after them. */
export function useFakeGitHub(): FakeGitHubServer {
  const server = newServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());
  return server;
}
