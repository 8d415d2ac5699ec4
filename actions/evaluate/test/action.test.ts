import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runDetailsMarker, type TaskResult, writeTaskResult } from "@embedeval/core";
import { buildTaskResult, noisyScores } from "@embedeval/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultsPath } from "../src/results-branch-store.js";
import { FakeGitHubServer } from "./fake-github-server.js";
import { type ActionRunOptions, ensureDist, runAction } from "./run-action.js";

const fixture = join(import.meta.dirname, "fixtures/tiny-beir");
const sha = (character: string) => character.repeat(40);
// main: M1 (recorded) <- M2 (the PR's merge-base, not recorded) <- M3 (base tip, recorded with other scores)
const M1 = sha("1");
const M2 = sha("2");
const M3 = sha("3");
const H1 = sha("a");
const H2 = sha("b");

function pullRequestEvent(number: number, head: string, options: { fork?: boolean } = {}) {
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
interface PullRequestRun {
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
function runOnPullRequest(server: FakeGitHubServer, workspace: string, run: PullRequestRun) {
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
function runOnPush(server: FakeGitHubServer, workspace: string, commit: string) {
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
function runReportJob(
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
function workflowRunEvent(headSha: string, headRepository: string) {
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

function config(name: string, tfidfDimensions: number, maxDrop = 0.01): string {
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

async function workspaceWith(configText: string): Promise<string> {
  const workspace = await mkdtemp(join(tmpdir(), "embedeval-action-"));
  await cp(fixture, join(workspace, "data"), { recursive: true });
  await writeFile(join(workspace, "embedeval.yml"), configText);
  return workspace;
}

async function writeResults(directory: string, results: TaskResult[]): Promise<void> {
  for (const result of results) await writeTaskResult(directory, result);
}

function seedBaseline(
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
async function track(workspace: Promise<string>): Promise<string> {
  const path = await workspace;
  workspaces.push(path);
  return path;
}

beforeAll(async () => {
  await ensureDist();
}, 120_000);
afterAll(async () => {
  for (const workspace of workspaces) await rm(workspace, { recursive: true, force: true });
});

function newServer(): FakeGitHubServer {
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

describe("the bundled action, evaluating with the built-in providers", () => {
  const server = newServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it("passes with absolute scores when there is no baseline yet", async () => {
    const workspace = await track(workspaceWith(config("tiny", 256)));
    const run = await runOnPullRequest(server, workspace, {
      number: 3,
      merge: "c",
      inputs: { config: "embedeval.yml" },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("::error");
    expect(run.stdout).toContain("not available here"); // @actions/cache without a cache service: soft
    const comments = server.comments.get(3) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toMatch(/^<!-- embedeval:tiny -->/);
    expect(comments[0]?.body).toContain("**No baseline yet**");
    expect(comments[0]?.body).toMatch(/\| bm25 \| 🆕 added \| Tiny \| \d+\.\d\d \|/);
    expect(run.outputs.regressed).toBe("false");
    expect(run.outputs["comment-id"]).toBe(String(comments[0]?.id));
    expect(run.outputs["results-directory"]).toBe(join(workspace, "results"));
    expect(run.summary).toContain("**No baseline yet**");
  });

  it("records on a push to the default branch, then a PR compares with its merge-base's nearest recorded ancestor and updates one comment", async () => {
    // Record M1 with the PR's config, and M3 (the base tip) with different scores: the PR must not use M3.
    const recordM1 = await runOnPush(server, await track(workspaceWith(config("main-config", 256))), M1);
    expect(recordM1.stderr).toBe("");
    expect(recordM1.code).toBe(0);
    expect(recordM1.stdout).toContain("embedeval: mode record");
    const recordM3 = await runOnPush(server, await track(workspaceWith(config("main-config", 8))), M3);
    expect(recordM3.code).toBe(0);
    const stored = server.branchFiles("embedeval-results");
    expect([...stored.keys()].sort()).toEqual([
      resultsPath(M1, "main-config"),
      resultsPath(M3, "main-config"),
    ]);
    expect(JSON.parse(stored.get(resultsPath(M1, "main-config")) as string).results).toHaveLength(2);

    const prWorkspace = await track(workspaceWith(config("main-config", 256)));
    const lenient = { "fail-on-regression": "false" };
    const first = await runOnPullRequest(server, prWorkspace, { number: 7, merge: "d", inputs: lenient });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const afterFirst = server.comments.get(7) ?? [];
    expect(afterFirst).toHaveLength(1);
    const firstBody = afterFirst[0]?.body as string;
    expect(firstBody).toContain(
      "Baseline: [`1111111`](https://github.com/octo-org/retrieval/commit/1111111111111111111111111111111111111111) (nearest ancestor with results, 1 commit before the merge-base",
    );
    expect(firstBody).toContain("✅ **No regressions**");
    expect(firstBody).toContain("2 unchanged");

    // A second push changes the tfidf model's option: its score moves; the same comment is updated.
    await writeFile(join(prWorkspace, "embedeval.yml"), config("main-config", 8));
    const second = await runOnPullRequest(server, prWorkspace, {
      number: 7,
      head: H2,
      merge: "e",
      inputs: lenient,
    });
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    const afterSecond = server.comments.get(7) ?? [];
    expect(afterSecond).toHaveLength(1);
    expect(afterSecond[0]?.id).toBe(afterFirst[0]?.id);
    expect(afterSecond[0]?.body).not.toBe(firstBody);
    expect(afterSecond[0]?.body).toMatch(/\| tfidf \| [^|]+ \| Tiny \| [\d.]+ \| ▼\u00a0-\d/);
    expect(second.outputs["comment-id"]).toBe(String(afterFirst[0]?.id));

    // The same commit evaluated again (a rerun): the scores are the same, only the run details differ
    // (latency, and every text now comes from the cache), so the comment is left alone.
    const patches = server.requests.filter((request) => request.method === "PATCH").length;
    const third = await runOnPullRequest(server, prWorkspace, {
      number: 7,
      head: H2,
      merge: "e",
      inputs: lenient,
    });
    expect(third.code).toBe(0);
    expect(third.stdout).toContain("comment unchanged");
    expect(third.summary.split(runDetailsMarker)[1]).not.toBe(
      (server.comments.get(7)?.[0]?.body ?? "").split(runDetailsMarker)[1],
    );
    expect(server.requests.filter((request) => request.method === "PATCH").length).toBe(patches);
  });
});

describe("the bundled action, reporting prebuilt results", () => {
  const server = newServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  async function reportWorkspace(name: string, base: TaskResult[], head: TaskResult[]): Promise<string> {
    const workspace = await track(workspaceWith(config(name, 256)));
    await writeResults(join(workspace, "results"), head);
    seedBaseline(server, M2, name, base);
    return workspace;
  }

  interface VerdictScenario {
    title: string;
    /** The config name (and so the comment marker and the baseline file). */
    name: string;
    number: number;
    /** How much bm25 drops on every query of the head results; tfidf holds. */
    drop: number;
    inputs: Record<string, string>;
    code: number;
    regressed: string;
    headline: string;
    annotations: RegExp[];
    /** The step's failure line, when the step fails. */
    verdictError: string | undefined;
    /** The log line when the input lets a regression pass. */
    verdictLog: string | undefined;
  }
  // The step's verdict over one regressing model: the annotations and the comment report the regression
  // either way, the fail-on-regression input decides the step's status.
  const verdictScenarios: VerdictScenario[] = [
    {
      title: "fails the step on a significant regression and writes an annotation per regression",
      name: "regressing",
      number: 11,
      drop: 0.05,
      inputs: {},
      code: 1,
      regressed: "true",
      headline: "❌ **1 regression**",
      annotations: [
        /^::error title=embedeval regression,file=embedeval.yml,line=\d+::bm25 × Tiny \(test\): nDCG@10 .* \(-5\.00 points/,
      ],
      verdictError:
        "::error::1 significant regression(s) beyond the allowed drop; see the annotations and the job summary.",
      verdictLog: undefined,
    },
    {
      title: "with fail-on-regression: false, passes the step and still annotates the regression",
      name: "tolerated",
      number: 28,
      drop: 0.05,
      inputs: { "fail-on-regression": "false" },
      code: 0,
      regressed: "true",
      headline: "❌ **1 regression**",
      annotations: [/^::error title=embedeval regression,file=embedeval.yml,line=\d+::bm25 × Tiny/],
      verdictError: undefined,
      verdictLog: "regressions found, but fail-on-regression is false",
    },
    {
      title: "passes the step when no score moved",
      name: "steady",
      number: 29,
      drop: 0,
      inputs: {},
      code: 0,
      regressed: "false",
      headline: "✅ **No regressions**",
      annotations: [],
      verdictError: undefined,
      verdictLog: undefined,
    },
  ];
  for (const scenario of verdictScenarios) {
    it(scenario.title, async () => {
      const scores = noisyScores(100, 0.6, 0.3, 1).map((value) => Math.max(0.1, value));
      const workspace = await reportWorkspace(
        scenario.name,
        [
          buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores }),
          buildTaskResult({ model: "tfidf", task: "Tiny", ndcg: scores }),
        ],
        [
          buildTaskResult({
            model: "bm25",
            task: "Tiny",
            ndcg: scores.map((value) => value - scenario.drop),
          }),
          buildTaskResult({ model: "tfidf", task: "Tiny", ndcg: scores }),
        ],
      );
      const run = await runOnPullRequest(server, workspace, {
        number: scenario.number,
        merge: "f",
        inputs: { mode: "report", ...scenario.inputs },
      });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(scenario.code);
      const errors = run.stdout.split("\n").filter((line) => line.startsWith("::error"));
      expect(errors).toEqual([
        ...scenario.annotations.map((pattern) => expect.stringMatching(pattern)),
        ...(scenario.verdictError ? [scenario.verdictError] : []),
      ]);
      if (scenario.verdictLog) expect(run.stdout).toContain(scenario.verdictLog);
      else expect(run.stdout).not.toContain("fail-on-regression is false");
      expect(run.outputs.regressed).toBe(scenario.regressed);
      const body = server.comments.get(scenario.number)?.[0]?.body ?? "";
      expect(body).toContain(scenario.headline);
      expect(body).toContain(
        "Baseline: [`2222222`](https://github.com/octo-org/retrieval/commit/2222222222222222222222222222222222222222) (merge-base, committed",
      );
      expect(run.summary).toContain(scenario.headline);
    });
  }

  it("passes an insignificant drop and shows it as noise (workflow_run, PR number from the results folder)", async () => {
    const base = noisyScores(300, 0.6, 0.35, 3);
    const jitter = noisyScores(300, 0, 0.2, 4);
    const moved = base.map((value, index) => value + (jitter[index] as number));
    const shift = moved.reduce((sum, value, index) => sum + value - (base[index] as number), 0) / 300;
    const head = moved.map((value) => value - shift - 0.004);
    const workspace = await reportWorkspace(
      "noisy",
      [buildTaskResult({ model: "bm25", task: "Tiny", ndcg: base })],
      [buildTaskResult({ model: "bm25", task: "Tiny", ndcg: head })],
    );
    // The artifact's base commit is ignored: the base comes from the API once the PR is verified.
    await writeFile(
      join(workspace, "results/embedeval-pull-request.json"),
      JSON.stringify({ number: 12, baseSha: sha("f"), headSha: H1 }),
    );
    server.pullRequests.set(12, { headSha: H1, headRepository: "stranger/retrieval", baseSha: M3 });
    const run = await runReportJob(server, workspace, "stranger/retrieval");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("embedeval: mode report");
    expect(run.stdout).not.toContain("::error");
    const body = server.comments.get(12)?.[0]?.body ?? "";
    expect(body).toContain("▼\u00a0-0.40");
    expect(body).toContain("〰️ noise");
    expect(body).toContain("✅ **No regressions**");
    expect(body).toContain("Baseline: [`2222222`](https://github.com/octo-org/retrieval/commit/2222222");
  });

  it("workflow_run with forged pull request metadata: no comment on the named PR, a warning, the summary still written", async () => {
    const scores = noisyScores(60, 0.5, 0.2, 31);
    const victim = 19;
    server.pullRequests.set(victim, { headSha: H2, headRepository: "octo-org/retrieval", baseSha: M3 });
    const victimComment = server.seedComment(
      victim,
      "<!-- embedeval:forged -->\n❌ **1 regression**",
      "github-actions[bot]",
    );
    const forgeries = [
      // The fork names another PR and claims the commit the triggering run really evaluated.
      {
        metadata: { number: victim, baseSha: M3, headSha: H1 },
        reason: /pull request #19 has head bbbbbbb, not the evaluated commit aaaaaaa/,
      },
      // The fork names another PR with that PR's real head commit.
      {
        metadata: { number: victim, baseSha: M3, headSha: H2 },
        reason: /results say they are of commit bbbbbbb, but the triggering run evaluated aaaaaaa/,
      },
    ];
    for (const forgery of forgeries) {
      const workspace = await reportWorkspace(
        "forged",
        [buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores })],
        [buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores.map((value) => value + 0.1) })],
      );
      await writeFile(
        join(workspace, "results/embedeval-pull-request.json"),
        JSON.stringify(forgery.metadata),
      );
      const run = await runReportJob(server, workspace, "stranger/retrieval");
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(forgery.reason);
      expect(run.stdout).toContain("::warning::not commenting:");
      expect(run.summary).toContain("<!-- embedeval:forged -->");
      expect(run.outputs["comment-id"]).toBeUndefined();
    }
    expect(server.comments.get(victim)).toEqual([victimComment]);
    expect(victimComment.body).toBe("<!-- embedeval:forged -->\n❌ **1 regression**");

    // Same PR and commit, but the PR's head lives in another repository than the evaluated commit.
    server.pullRequests.set(20, { headSha: H1, headRepository: "octo-org/retrieval", baseSha: M3 });
    const workspace = await reportWorkspace(
      "forged",
      [buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores })],
      [buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores })],
    );
    await writeFile(
      join(workspace, "results/embedeval-pull-request.json"),
      JSON.stringify({ number: 20, baseSha: M3, headSha: H1 }),
    );
    const run = await runReportJob(server, workspace, "stranger/retrieval");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("comes from octo-org/retrieval, not from stranger/retrieval");
    expect(server.comments.get(20) ?? []).toHaveLength(0);
  });

  it("a model whose provider errors on the PR is shown as failed with its message, not removed, and fails the step", async () => {
    const scores = noisyScores(20, 0.5, 0.2, 41);
    const workspace = await track(
      workspaceWith(
        [
          "name: broken",
          "models:",
          "  - id: bm25",
          "    provider: bm25",
          "  - id: stale-vectors",
          "    provider: precomputed",
          "    options: { file: ./vectors.jsonl }",
          "tasks:",
          "  - name: Tiny",
          "    path: ./data",
          "    splits: [test]",
          "output:",
          "  directory: ./results",
          "",
        ].join("\n"),
      ),
    );
    // Vectors for some other text only: the provider rejects the first batch (a non-retryable ProviderError).
    await writeFile(
      join(workspace, "vectors.jsonl"),
      `${JSON.stringify({ text: "unrelated", embedding: [1, 0] })}\n`,
    );
    seedBaseline(server, M2, "broken", [
      buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores }),
      buildTaskResult({ model: "stale-vectors", task: "Tiny", ndcg: scores }),
    ]);
    const run = await runOnPullRequest(server, workspace, {
      number: 22,
      merge: "2",
      inputs: { "fail-on-regression": "false" },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::1 gated model × task pair\(s\) failed to evaluate \(stale-vectors × Tiny\)/,
    );
    const body = server.comments.get(22)?.[0]?.body ?? "";
    expect(body).toContain("💥 **1 failed**");
    expect(body).toMatch(/- 💥 \*\*stale-vectors × Tiny\*\* failed: .*have no precomputed vector/);
    expect(body).toMatch(/\| stale-vectors \| 💥 failed \| Tiny \| [\d.]+ \| — \|/);
    expect(body).not.toContain("removed");
    expect(run.summary).toContain("💥 failed");

    // A report job elsewhere (workflow_run) reads the failure from the results folder: still failed.
    server.pullRequests.set(22, { headSha: H1, headRepository: "octo-org/retrieval", baseSha: M3 });
    const report = await runReportJob(server, workspace, "octo-org/retrieval");
    expect(report.code).toBe(1);
    expect(report.summary).toMatch(/stale-vectors × Tiny\*\* failed: .*have no precomputed vector/);

    // fail-on-error: false keeps the failure in the report but only warns.
    const lenient = await runReportJob(server, workspace, "octo-org/retrieval", { "fail-on-error": "false" });
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain(
      "::warning::1 gated model × task pair(s) failed to evaluate; fail-on-error is false",
    );
    expect(lenient.summary).toContain("💥 failed");
  });

  it("degrades gracefully on a fork's read-only token: warning, report in the log and summary, no crash", async () => {
    const scores = noisyScores(50, 0.5, 0.2, 9);
    const workspace = await reportWorkspace(
      "forked",
      [buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores })],
      [buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores })],
    );
    server.forbidComments = true;
    try {
      const run = await runOnPullRequest(server, workspace, {
        number: 13,
        merge: "9",
        fork: true,
        inputs: { mode: "report" },
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /::warning::cannot comment on pull request #13: .* refused: the token is read-only \(this pull request comes from a fork/,
      );
      expect(run.stdout).toContain("<!-- embedeval:forked -->");
      expect(run.summary).toContain("➖ unchanged");
      expect(server.comments.get(13) ?? []).toHaveLength(0);
      expect(run.outputs["comment-id"]).toBeUndefined();
    } finally {
      server.forbidComments = false;
    }
  });

  it("truncates an oversized report under 65,536 characters and keeps the full one in the summary", async () => {
    const base: TaskResult[] = [];
    const head: TaskResult[] = [];
    for (let model = 0; model < 40; model++) {
      for (let task = 0; task < 25; task++) {
        const scores = noisyScores(20, 0.5, 0.2, model * 100 + task);
        base.push(buildTaskResult({ model: `model-${model}`, task: `Task-${task}`, ndcg: scores }));
        head.push(
          buildTaskResult({
            model: `model-${model}`,
            task: `Task-${task}`,
            ndcg: scores.map((v) => v * 0.999),
          }),
        );
      }
    }
    const workspace = await reportWorkspace("huge", base, head);
    const run = await runOnPullRequest(server, workspace, {
      number: 14,
      merge: "8",
      inputs: { mode: "report" },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const body = server.comments.get(14)?.[0]?.body ?? "";
    expect(body.length).toBeGreaterThan(30_000);
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain("Report truncated");
    expect(body).toContain("https://github.com/octo-org/retrieval/actions/runs/4242");
    expect(run.summary.length).toBeGreaterThan(65_536);
    expect(run.summary).not.toContain("Report truncated");
  });

  it("edits only its own comment for its own config, and keeps configs apart", async () => {
    const scores = noisyScores(40, 0.5, 0.2, 21);
    const results = [buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores })];
    // Someone quotes the marker in their own comment: it must not be edited.
    const quoted = server.seedComment(16, "<!-- embedeval:alpha -->\nI copied the bot's comment", "octocat");
    for (const name of ["alpha", "beta", "alpha"]) {
      const workspace = await reportWorkspace(name, results, results);
      const run = await runOnPullRequest(server, workspace, {
        number: 16,
        merge: "6",
        inputs: { mode: "report" },
      });
      expect(run.code).toBe(0);
    }
    const comments = server.comments.get(16) ?? [];
    expect(comments.map((comment) => [comment.user.login, comment.body.split("\n", 1)[0]])).toEqual([
      ["octocat", "<!-- embedeval:alpha -->"],
      ["github-actions[bot]", "<!-- embedeval:alpha -->"],
      ["github-actions[bot]", "<!-- embedeval:beta -->"],
    ]);
    expect(comments[0]?.body).toBe(quoted.body);
  });

  it("with a GitHub App token (GET /user refused), finds and updates its own bot comment by marker", async () => {
    const scores = noisyScores(40, 0.5, 0.2, 61);
    const results = [buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores })];
    server.seedComment(27, "<!-- embedeval:app -->\nquoted by a person", "octocat");
    // Written by github-actions[bot] before the workflow switched to an app token: not editable by the app.
    server.seedComment(27, "<!-- embedeval:app -->\nold report", "github-actions[bot]");
    server.commentAuthor = "embedeval-app[bot]";
    try {
      const bodies = [];
      for (const head of [results, results.map((result) => ({ ...result, date: result.date + 1 }))]) {
        const workspace = await reportWorkspace("app", results, head);
        const run = await runOnPullRequest(server, workspace, {
          number: 27,
          merge: "8",
          inputs: { "github-token": "ghs_app_installation_token", mode: "report", comment: "always" },
        });
        expect(run.code).toBe(0);
        bodies.push(run.outputs["comment-id"]);
      }
      const comments = server.comments.get(27) ?? [];
      // One new comment by the app (the old bot comment is left alone), then found and reused.
      expect(comments.map((comment) => comment.user.login)).toEqual([
        "octocat",
        "github-actions[bot]",
        "embedeval-app[bot]",
      ]);
      expect(bodies[0]).toBe(String(comments[2]?.id));
      expect(bodies[1]).toBe(String(comments[2]?.id));
      expect(comments[0]?.body).toBe("<!-- embedeval:app -->\nquoted by a person");
    } finally {
      server.commentAuthor = "github-actions[bot]";
    }
  });

  it("with comment: on-change, posts nothing when no score moved", async () => {
    const scores = noisyScores(40, 0.5, 0.2, 22);
    const results = [buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores })];
    const workspace = await reportWorkspace("quiet", results, results);
    const run = await runOnPullRequest(server, workspace, {
      number: 17,
      merge: "5",
      inputs: { mode: "report", comment: "on-change" },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("comment skipped");
    expect(server.comments.get(17) ?? []).toHaveLength(0);
    expect(run.summary).toContain("➖ unchanged");
  });

  it("restores the embedding cache by key prefix and carries on when saving is refused", async () => {
    const workspace = await track(workspaceWith(config("cached", 256)));
    const run = await runOnPullRequest(server, workspace, {
      number: 18,
      merge: "4",
      // The fake server doubles as the cache service: the lookup misses and the save is refused.
      environment: { ACTIONS_CACHE_URL: `${server.url}/`, ACTIONS_RUNTIME_TOKEN: "runtime-token" },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("embedding cache: nothing to restore yet");
    expect(run.stdout).toContain("::warning::Failed to save: cache reservation refused by the test server");
    expect(run.stdout).toContain("embedding cache: not saved");
    expect(server.cacheLookups).toBe(1);
    expect(server.cacheReservations).toBe(1);
    expect(server.comments.get(18) ?? []).toHaveLength(1);
  });

  it("saves the embedding cache only when something new was embedded", async () => {
    const workspace = await track(workspaceWith(config("cached-twice", 256)));
    const cacheEnvironment = { ACTIONS_CACHE_URL: `${server.url}/`, ACTIONS_RUNTIME_TOKEN: "runtime-token" };
    const first = await runOnPullRequest(server, workspace, {
      number: 23,
      merge: "4",
      environment: cacheEnvironment,
    });
    expect(first.code).toBe(0);
    const reservations = server.cacheReservations;
    // Same workspace: the local cache folder already holds every vector, so the run embeds nothing.
    const second = await runOnPullRequest(server, workspace, {
      number: 23,
      head: H2,
      merge: "5",
      environment: cacheEnvironment,
    });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("embedding cache: nothing new was embedded; not saved");
    expect(server.cacheReservations).toBe(reservations);
  });

  it("on SIGTERM mid-evaluation, cancels the evaluation and still saves the embedding cache", async () => {
    const workspace = await track(
      workspaceWith(
        [
          "name: cancelled",
          "models:",
          "  - id: slow",
          "    provider: slow-provider",
          "tasks:",
          "  - name: Tiny",
          "    path: ./data",
          "    splits: [test]",
          "cache:",
          "  directory: ./.embedeval-cache",
          "output:",
          "  directory: ./results",
          "",
        ].join("\n"),
      ),
    );
    // A provider plugin installed in the repository: its first call answers (and is cached), its second
    // announces itself in a file and then waits until the evaluation is cancelled.
    const pluginDirectory = join(workspace, "node_modules/slow-provider");
    await mkdir(pluginDirectory, { recursive: true });
    await writeFile(
      join(pluginDirectory, "package.json"),
      JSON.stringify({ name: "slow-provider", type: "module", main: "index.js" }),
    );
    const marker = join(workspace, "second-call-started");
    await writeFile(
      join(pluginDirectory, "index.js"),
      `import { writeFileSync } from "node:fs";
let calls = 0;
export default {
  specificationVersion: "v1",
  name: "slow-provider",
  create: () => ({
    specificationVersion: "v1",
    provider: "slow-provider",
    modelId: "slow",
    capabilities: { maxInputsPerCall: 1, normalized: false, dimensions: 2 },
    vectorOptions: {},
    async embed(request) {
      calls++;
      if (calls > 1) {
        writeFileSync(${JSON.stringify(marker)}, "started");
        // Like a request in flight: a handle keeps the process alive until the call is cancelled.
        await new Promise((resolve, reject) => {
          const inFlight = setInterval(() => {}, 1000);
          const cancel = () => { clearInterval(inFlight); reject(request.signal.reason); };
          if (request.signal?.aborted) return cancel();
          request.signal?.addEventListener("abort", cancel);
        });
      }
      return { embeddings: request.texts.map((text) => Float32Array.from([text.length, 1])), usage: { tokens: 1, source: "provider" } };
    },
  }),
};
`,
    );
    const run = await runOnPullRequest(server, workspace, {
      number: 24,
      merge: "6",
      environment: { ACTIONS_CACHE_URL: `${server.url}/`, ACTIONS_RUNTIME_TOKEN: "runtime-token" },
      control: (child) => {
        const poll = setInterval(() => {
          if (existsSync(marker)) {
            clearInterval(poll);
            child.kill("SIGTERM");
          }
        }, 20);
        child.on("exit", () => clearInterval(poll));
      },
    });
    expect(existsSync(marker)).toBe(true);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("SIGTERM received: cancelling the evaluation");
    expect(run.stdout).toContain("embedding cache: not saved"); // attempted; the test service refuses
    expect(run.stdout).toMatch(/::error::.*Cancelled/);
    expect(server.comments.get(24) ?? []).toHaveLength(0);
  });

  it("records even when another run moves the results branch between its read and its update (422, retried)", async () => {
    const workspace = await track(workspaceWith(config("raced", 256)));
    seedBaseline(server, M1, "other-config", []); // the branch exists: the record run updates its ref
    let raced = false;
    server.beforeRefUpdate = () => {
      // A concurrent record run (another config of a matrix) lands first: this update is not a fast forward.
      server.seedFile("embedeval-results", resultsPath(M3, "other-config"), "{}");
      raced = true;
    };
    const run = await runOnPush(server, workspace, M3);
    expect(raced).toBe(true);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const files = server.branchFiles("embedeval-results");
    expect(files.has(resultsPath(M3, "raced"))).toBe(true);
    expect(files.has(resultsPath(M3, "other-config"))).toBe(true);
    expect(files.has(resultsPath(M1, "other-config"))).toBe(true);
    const patches = server.requests.filter(
      (request) => request.method === "PATCH" && request.path.includes("/git/refs/"),
    );
    expect(patches.length).toBeGreaterThanOrEqual(2);
  });

  // The evaluation is paid for by the time the baseline is read: a broken baseline costs only the deltas.
  for (const scenario of [
    {
      cause: "a corrupted file on the results branch",
      name: "corrupt",
      number: 25,
      breakBaseline: (server: FakeGitHubServer) => {
        server.seedFile("embedeval-results", resultsPath(M2, "corrupt"), "{ not json");
        return () => {};
      },
      warning: /::warning::baseline unavailable \(.+\); reporting absolute scores/,
    },
    {
      cause: "an API error",
      name: "unreachable",
      number: 26,
      breakBaseline: (server: FakeGitHubServer) => {
        // A baseline is recorded for the merge-base: only the failing API keeps the action from it.
        const scores = noisyScores(30, 0.5, 0.2, 52);
        seedBaseline(server, M2, "unreachable", [
          buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores }),
        ]);
        server.commitsStatus = 502;
        return () => {
          server.commitsStatus = undefined;
        };
      },
      warning: /::warning::baseline unavailable \(.*Server Error.*\); reporting absolute scores/,
    },
  ]) {
    it(`reports absolute scores with a warning when the baseline cannot be read: ${scenario.cause}`, async () => {
      const scores = noisyScores(30, 0.5, 0.2, 51);
      const workspace = await track(workspaceWith(config(scenario.name, 256)));
      await writeResults(join(workspace, "results"), [
        buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores }),
      ]);
      const repair = scenario.breakBaseline(server);
      try {
        const run = await runOnPullRequest(server, workspace, {
          number: scenario.number,
          merge: "7",
          inputs: { mode: "report" },
        });
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(scenario.warning);
        expect(run.summary).toContain("**No baseline yet**");
        expect(server.comments.get(scenario.number)?.[0]?.body).toContain("**No baseline yet**");
      } finally {
        repair();
      }
    });
  }

  it("fails with a clear message, not a stack, on a bad input", async () => {
    const workspace = await track(workspaceWith(config("bad", 256)));
    const run = await runOnPullRequest(server, workspace, {
      number: 15,
      merge: "7",
      inputs: { mode: "evalute" },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "::error::error: input `mode` is `evalute`; expected one of auto, evaluate, record, report",
    );
    expect(run.stdout).not.toContain("    at ");
  });
});

describe("the gate a pull request cannot move: rules from the merge-base's config", () => {
  const server = newServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());
  const scores = noisyScores(100, 0.6, 0.3, 71).map((value) => Math.max(0.1, value));
  const base = [buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores })];
  /** bm25 drops 5 points on every query: beyond a 1-point rule, within a 10-point one. */
  const dropped = [
    buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores.map((value) => value - 0.05) }),
  ];

  /** A PR workspace with `headConfig` at `path` and the head results; the merge-base M2 has `baseFiles`. */
  async function pullRequestWorkspace(
    headConfig: string,
    baseFiles: Record<string, string>,
    path = "embedeval.yml",
  ): Promise<string> {
    const workspace = await track(workspaceWith(headConfig));
    if (path !== "embedeval.yml") {
      await mkdir(dirname(join(workspace, path)), { recursive: true });
      await writeFile(join(workspace, path), headConfig);
      await rm(join(workspace, "embedeval.yml"));
    }
    await writeResults(join(workspace, "results"), dropped);
    server.repositoryFiles.set(M2, new Map(Object.entries(baseFiles)));
    return workspace;
  }

  it("a PR that raises maxDrop still fails on a regression beyond the base's rule, and the comment says the rules changed", async () => {
    seedBaseline(server, M2, "guarded", base);
    const workspace = await pullRequestWorkspace(config("guarded", 256, 0.1), {
      "embedeval.yml": config("guarded", 256, 0.01),
    });
    const run = await runOnPullRequest(server, workspace, {
      number: 40,
      merge: "4",
      inputs: { mode: "report", "report-artifact": "embedeval-report" },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(run.outputs.regressed).toBe("true");
    const body = server.comments.get(40)?.[0]?.body ?? "";
    // The head commit and the run are linked; the HTML report is written for the workflow to upload.
    expect(body).toContain(
      `Head: [\`aaaaaaa\`](https://github.com/octo-org/retrieval/commit/${H1}) · Baseline: [\`2222222\`]`,
    );
    expect(body).toContain(
      "[Workflow run](https://github.com/octo-org/retrieval/actions/runs/4242) · [HTML report: artifact `embedeval-report`](https://github.com/octo-org/retrieval/actions/runs/4242#artifacts)",
    );
    expect(run.summary).toContain("HTML report: artifact `embedeval-report`");
    expect(run.outputs["html-report-path"]).toBe(join(workspace, "results/embedeval-report.html"));
    const page = await readFile(run.outputs["html-report-path"] as string, "utf8");
    expect(page).toContain("<title>embedeval report: guarded</title>");
    expect(page).toContain("Comparison with the baseline");
    expect(body).toContain("### ❌ bm25 × Tiny: nDCG@\u200b10 -5.00 points");
    expect(body).toContain(
      "This pull request changes the compare rules (maxDrop: 1 points → 10 points). They apply once it is merged; this run is judged by the rules at the merge-base 2222222.",
    );
    expect(body).toContain("of more than 1.00 points that is significant");
    expect(run.stdout).toContain("::notice::This pull request changes the compare rules");

    // The same PR once the base itself allows 10 points (the PR merged, say): the drop passes. The base's
    // config decides, not the head's.
    const relaxed = await pullRequestWorkspace(config("guarded", 256, 0.1), {
      "embedeval.yml": config("guarded", 256, 0.1),
    });
    const after = await runOnPullRequest(server, relaxed, {
      number: 41,
      merge: "5",
      inputs: { mode: "report" },
    });
    expect(after.code).toBe(0);
    expect(after.outputs.regressed).toBe("false");
    expect(server.comments.get(41)?.[0]?.body).not.toContain("changes the compare rules");
  });

  it("a PR that renames the config (`name:`) is still compared with the base's baseline, under the base's marker", async () => {
    seedBaseline(server, M2, "named", base);
    const workspace = await pullRequestWorkspace(config("escaped", 256, 0.01), {
      "embedeval.yml": config("named", 256, 0.01),
    });
    const run = await runOnPullRequest(server, workspace, {
      number: 42,
      merge: "6",
      inputs: { mode: "report" },
    });
    expect(run.code).toBe(1);
    const body = server.comments.get(42)?.[0]?.body ?? "";
    expect(body.split("\n", 1)[0]).toBe("<!-- embedeval:named -->");
    expect(body).toContain(
      "This pull request renames the config from named to escaped: compared with the baseline recorded for named.",
    );
    expect(body).toContain("❌ **1 regression**");
  });

  it("a config file the PR moves is read at its old path (compare API rename), and the move is reported", async () => {
    seedBaseline(server, M2, "moved", base);
    server.changedFiles.set(`${M3}...${H2}`, [
      { filename: "gate/eval.yml", status: "renamed", previous_filename: "embedeval.yml" },
    ]);
    const workspace = await pullRequestWorkspace(
      config("moved", 256, 0.5),
      { "embedeval.yml": config("moved", 256, 0.01) },
      "gate/eval.yml",
    );
    await cp(join(workspace, "data"), join(workspace, "gate/data"), { recursive: true });
    await writeResults(join(workspace, "gate/results"), dropped);
    const run = await runOnPullRequest(server, workspace, {
      number: 43,
      head: H2,
      merge: "7",
      inputs: { mode: "report", config: "gate/eval.yml" },
    });
    expect(run.code).toBe(1);
    const body = server.comments.get(43)?.[0]?.body ?? "";
    expect(body).toContain("This pull request renames the config embedeval.yml to gate/eval.yml.");
    expect(body).toContain("maxDrop: 1 points → 50 points");
  });

  it("a config that is not at the merge-base (new in the PR) is reported, and its own rules apply", async () => {
    const workspace = await pullRequestWorkspace(config("brand-new", 256, 0.01), {});
    const run = await runOnPullRequest(server, workspace, {
      number: 44,
      merge: "8",
      inputs: { mode: "report" },
    });
    expect(run.code).toBe(0);
    const body = server.comments.get(44)?.[0]?.body ?? "";
    expect(body).toContain(
      "embedeval.yml does not exist at the merge-base 2222222: this pull request adds it (or renames it without git seeing a rename)",
    );
    expect(body).toContain("**No baseline yet**");
  });

  it("a config the PR removes is reported as removed, not skipped", async () => {
    const workspace = await pullRequestWorkspace(config("gone", 256), {
      "embedeval.yml": config("gone", 256),
    });
    await rm(join(workspace, "embedeval.yml"));
    const run = await runOnPullRequest(server, workspace, {
      number: 45,
      merge: "9",
      inputs: { mode: "report" },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "::error::error: config embedeval.yml is not in this pull request's checkout: the pull request removes or renames it",
    );
  });
});

describe("GitHub API errors that say their cause", () => {
  const server = newServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it("record with a token lacking contents: write names the permission to add (once `error:`)", async () => {
    server.missingWritePermission = "contents=write";
    try {
      const run = await runOnPush(server, await track(workspaceWith(config("readonly", 256))), M3);
      expect(run.code).toBe(1);
      const failure = run.stdout.split("\n").find((line) => line.startsWith("::error::")) ?? "";
      expect(failure).toMatch(
        /^::error::error: POST \/repos\/\{owner\}\/\{repo\}\/git\/blobs refused: the token lacks the `contents: write` permission \(GitHub: Resource not accessible by integration\)/,
      );
      expect(failure).toContain("hint: Add `contents: write` under `permissions:` in the workflow");
      expect(failure).not.toContain("error: error:");
    } finally {
      server.missingWritePermission = undefined;
    }
  });

  it("a comment refused for a missing permission (same-repository PR) names `pull-requests: write`, not a read-only token", async () => {
    const scores = noisyScores(30, 0.5, 0.2, 81);
    const workspace = await track(workspaceWith(config("no-comment", 256)));
    await writeResults(join(workspace, "results"), [
      buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores }),
    ]);
    server.missingWritePermission = "issues=write; pull_requests=write";
    try {
      const run = await runOnPullRequest(server, workspace, {
        number: 50,
        merge: "3",
        inputs: { mode: "report" },
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /::warning::cannot comment on pull request #50: POST \/repos\/\{owner\}\/\{repo\}\/issues\/\{issue_number\}\/comments refused: the token lacks the `pull-requests: write` permission/,
      );
      expect(run.stdout).not.toContain("read-only");
    } finally {
      server.missingWritePermission = undefined;
    }
  });

  it("waits out a secondary rate limit (retry-after) and carries on", async () => {
    const scores = noisyScores(30, 0.5, 0.2, 82);
    const workspace = await track(workspaceWith(config("throttled", 256)));
    await writeResults(join(workspace, "results"), [
      buildTaskResult({ model: "bm25", task: "Tiny", ndcg: scores }),
    ]);
    server.secondaryRateLimits = 2;
    const run = await runOnPullRequest(server, workspace, {
      number: 51,
      merge: "3",
      inputs: { mode: "report" },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(server.secondaryRateLimits).toBe(0);
    expect(run.stdout).toMatch(
      /GitHub API rate limit \(GET \/repos\/.*\): retrying in 1 s \(attempt 2 of 4\)/,
    );
    expect(server.comments.get(51) ?? []).toHaveLength(1);
  });
});
