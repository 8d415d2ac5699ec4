import { join } from "node:path";
import { buildTaskResult, noisyScores } from "@embedeval/core/testing";
import { describe, expect, it } from "vitest";
import {
  config,
  M3,
  runOnPullRequest,
  runOnPush,
  track,
  useBundledAction,
  useFakeGitHub,
  workspaceWith,
  writeResults,
} from "./action-test-helpers.js";

useBundledAction();

describe("GitHub API errors that say their cause", () => {
  const server = useFakeGitHub();

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
