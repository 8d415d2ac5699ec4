import { describe, expect, it } from "vitest";
import { type ActionMode, type RunMode, resolveMode } from "./action-inputs.js";

const repository = { repository: { full_name: "octo-org/retrieval", default_branch: "main" } };

describe("resolveMode", () => {
  it.each<[ActionMode, string, string, Record<string, unknown>, RunMode]>([
    ["auto", "push", "refs/heads/main", repository, "record"],
    ["auto", "push", "refs/heads/feature", repository, "evaluate"],
    ["auto", "push", "refs/heads/main", {}, "evaluate"],
    ["auto", "workflow_run", "refs/heads/main", repository, "report"],
    ["auto", "pull_request", "refs/pull/3/merge", repository, "evaluate"],
    ["report", "push", "refs/heads/main", repository, "report"],
    ["record", "pull_request", "refs/pull/3/merge", repository, "record"],
    ["plan", "pull_request", "refs/pull/3/merge", repository, "plan"],
    ["shard", "workflow_run", "refs/heads/main", repository, "shard"],
  ])("mode %s on %s of %s: %o -> %s", (mode, eventName, ref, payload, expected) => {
    expect(resolveMode(mode, eventName, ref, payload)).toBe(expected);
  });
});
