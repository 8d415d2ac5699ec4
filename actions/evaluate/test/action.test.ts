import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runDetailsMarker } from "@embedeval/core";
import { describe, expect, it } from "vitest";
import { predictionsPath, resultsPath } from "../src/results-branch-store.js";
import {
  config,
  H2,
  M1,
  M3,
  runOnPullRequest,
  runOnPush,
  track,
  useBundledAction,
  useFakeGitHub,
  workspaceWith,
} from "./action-test-helpers.js";

useBundledAction();

describe("the bundled action, evaluating with the built-in providers", () => {
  const server = useFakeGitHub();

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
    // Beside each results file, the run's top 10 per query (the HTML report's "before" side).
    expect([...stored.keys()].sort()).toEqual([
      resultsPath(M1, "main-config"),
      predictionsPath(M1, "main-config"),
      resultsPath(M3, "main-config"),
      predictionsPath(M3, "main-config"),
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
