import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { buildTaskResult, noisyScores } from "@embedeval/core/testing";
import { describe, expect, it } from "vitest";
import {
  config,
  H1,
  H2,
  M2,
  M3,
  runOnPullRequest,
  seedBaseline,
  track,
  useBundledAction,
  useFakeGitHub,
  workspaceWith,
  writeResults,
} from "./action-test-helpers.js";

useBundledAction();

describe("the gate a pull request cannot move: rules from the merge-base's config", () => {
  const server = useFakeGitHub();
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
    // Chart.js inlined at build time: the bundle runs with no node_modules beside it.
    expect(page).toContain("<script>/*!\n * Chart.js v4.");
    // The comparison chart is drawn by it too (no hand-drawn SVG left in the bundle).
    expect(page).toContain('<canvas id="comparison-intervals"');
    expect(page).not.toContain("<svg");
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
