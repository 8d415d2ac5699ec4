import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildTaskResult, noisyScores } from "@embedeval/core/testing";
import { describe, expect, it } from "vitest";
import { resultsPath } from "../src/results-branch-store.js";
import {
  config,
  H2,
  M1,
  M2,
  M3,
  runOnPullRequest,
  runOnPush,
  seedBaseline,
  track,
  useBundledAction,
  useFakeGitHub,
  workspaceWith,
  writeResults,
} from "./action-test-helpers.js";
import type { FakeGitHubServer } from "./fake-github-server.js";

useBundledAction();

describe("the bundled action: the embedding cache, cancellation, recording and bad input", () => {
  const server = useFakeGitHub();

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
      "::error::error: input `mode` is `evalute`; expected one of auto, evaluate, record, report, plan, shard",
    );
    expect(run.stdout).not.toContain("    at ");
  });
});
