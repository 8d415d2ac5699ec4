import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readResultsDirectory, readTaskPredictions, type TaskResult, taskResultPath } from "@embedeval/core";
import { buildTaskResult, noisyScores } from "@embedeval/core/testing";
import { describe, expect, it } from "vitest";
import { predictionsPath, resultsPath } from "../src/results-branch-store.js";
import {
  config,
  fixture,
  H1,
  H2,
  M1,
  M2,
  M3,
  runOnPullRequest,
  runOnPush,
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

  /** The tfidf × Tiny result and its top 10 per query in a workspace's results folder, as the run wrote them. */
  async function tfidfRun(workspace: string) {
    const directory = join(workspace, "results");
    const result = (await readResultsDirectory(directory)).find(
      (candidate) => candidate.embedeval.model.id === "tfidf",
    ) as TaskResult;
    const predictions = await readTaskPredictions(taskResultPath(directory, result), result);
    return { result, top: predictions?.get("test") };
  }

  /** The HTML report's per-query view ("Queries that got worse"); "" when the report has none. */
  function queryView(page: string): string {
    const start = page.indexOf("<h2>Queries that got worse</h2>");
    return start < 0 ? "" : page.slice(start, page.indexOf("</section>", start));
  }

  /** The per-query view's block of one query of one (model, task): its summary and both rankings. */
  function queryBlock(page: string, entry: string, queryId: string): string {
    const view = queryView(page);
    const entryStart = view.indexOf(`<summary>${entry}:`);
    const entryEnd = view.indexOf('<details class="entry"', entryStart);
    const blocks = view
      .slice(entryStart, entryEnd < 0 ? undefined : entryEnd)
      .split('<details class="query"')
      .map((block) => block.slice(0, block.indexOf("</details>")));
    return blocks.find((block) => block.includes(`documents for <code>${queryId}</code>`)) ?? "";
  }

  it("HTML report: a query that got worse shows its text and its top documents before (recorded with the baseline) and after", async () => {
    const corpus = new Map(
      (await readFile(join(fixture, "corpus.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { _id: string; title: string; text: string })
        .map((document) => [document._id, `${document.title} ${document.text}`]),
    );
    const queries = new Map(
      (await readFile(join(fixture, "queries.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { _id: string; text: string })
        .map((query) => [query._id, query.text]),
    );
    // main records M1 (tfidf at 256 dimensions), with each query's top 10 beside the results.
    const baseWorkspace = await track(workspaceWith(config("per-query", 256)));
    const record = await runOnPush(server, baseWorkspace, M1);
    expect(record.stderr).toBe("");
    expect(record.code).toBe(0);
    const stored = server.branchFiles("embedeval-results");
    expect(stored.has(resultsPath(M1, "per-query"))).toBe(true);
    const storedPredictions = JSON.parse(stored.get(predictionsPath(M1, "per-query")) ?? "{}");
    expect(storedPredictions.entries.map((entry: { model: string }) => entry.model).sort()).toEqual([
      "bm25",
      "tfidf",
    ]);

    // The pull request squeezes tfidf into 8 dimensions: some queries rank worse.
    const headWorkspace = await track(workspaceWith(config("per-query", 8)));
    const run = await runOnPullRequest(server, headWorkspace, {
      number: 31,
      merge: "7",
      inputs: { "fail-on-regression": "false" },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const page = await readFile(run.outputs["html-report-path"] as string, "utf8");

    // The query that got worst, from the per-query scores of the two runs' own result files.
    const base = await tfidfRun(baseWorkspace);
    const head = await tfidfRun(headWorkspace);
    const baseScores = base.result.embedeval.per_query.test ?? {};
    const headScores = head.result.embedeval.per_query.test ?? {};
    const [worst] = Object.keys(headScores)
      .map((queryId) => ({
        queryId,
        delta: (headScores[queryId]?.ndcg_at_10 ?? 0) - (baseScores[queryId]?.ndcg_at_10 ?? 0),
      }))
      .sort((left, right) => left.delta - right.delta || left.queryId.localeCompare(right.queryId));
    expect(worst?.delta).toBeLessThan(0);
    const queryId = worst?.queryId as string;
    const block = queryBlock(page, "tfidf × Tiny", queryId);
    expect(block).toContain(queries.get(queryId));
    const [before, after] = block.split("<caption>After (head)</caption>");
    const beforeIds = (base.top?.get(queryId) ?? []).map((document) => document.id);
    const afterIds = (head.top?.get(queryId) ?? []).map((document) => document.id);
    expect(beforeIds.length).toBeGreaterThan(0);
    // The two sides differ, so a report showing one ranking twice fails below.
    expect(afterIds).not.toEqual(beforeIds);
    const shown = (part: string | undefined) =>
      [...(part ?? "").matchAll(/<td><code>([^<]+)<\/code>(?: <span class="moved">new<\/span>)?<\/td>/g)].map(
        (match) => match[1],
      );
    expect(shown(before)).toEqual(beforeIds);
    expect(shown(after)).toEqual(afterIds);
    for (const id of beforeIds) expect(before).toContain(corpus.get(id));
    for (const id of afterIds) expect(after).toContain(corpus.get(id));
    expect(queryView(page)).not.toContain("no predictions file");
  });

  it("HTML report with a baseline recorded before predictions were stored: the head's top documents only, no error", async () => {
    // The base's results evaluated elsewhere, filed on the results branch as an older version recorded
    // them: the results file alone.
    const baseWorkspace = await track(workspaceWith(config("older-baseline", 256)));
    const evaluated = await runOnPullRequest(server, baseWorkspace, {
      number: 32,
      merge: "7",
      inputs: { baseline: "none", comment: "never" },
    });
    expect(evaluated.code).toBe(0);
    seedBaseline(server, M1, "older-baseline", await readResultsDirectory(join(baseWorkspace, "results")));
    expect(server.branchFiles("embedeval-results").has(predictionsPath(M1, "older-baseline"))).toBe(false);
    const headWorkspace = await track(workspaceWith(config("older-baseline", 8)));
    const run = await runOnPullRequest(server, headWorkspace, {
      number: 32,
      merge: "7",
      inputs: { "fail-on-regression": "false" },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("::warning::baseline unavailable");
    expect(server.comments.get(32)?.[0]?.body).toContain("Baseline: [`1111111`]");
    const view = queryView(await readFile(run.outputs["html-report-path"] as string, "utf8"));
    expect(view).toContain("Before (baseline): no predictions file.");
    expect(view).toMatch(/<caption>After \(head\)<\/caption>.*<td><code>[a-z]+-\d<\/code>/s);
  });

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
