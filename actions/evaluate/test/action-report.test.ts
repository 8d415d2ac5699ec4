import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TaskResult } from "@embedeval/core";
import { buildTaskResult, noisyScores } from "@embedeval/core/testing";
import { describe, expect, it } from "vitest";
import {
  config,
  H1,
  H2,
  M2,
  M3,
  runOnPullRequest,
  runReportJob,
  seedBaseline,
  sha,
  track,
  useBundledAction,
  useFakeGitHub,
  workspaceWith,
  writeResults,
} from "./action-test-helpers.js";

useBundledAction();

describe("the bundled action, reporting prebuilt results", () => {
  const server = useFakeGitHub();

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
});
