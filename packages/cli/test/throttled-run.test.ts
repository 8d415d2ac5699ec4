import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { type BedrockServer, startBedrockServer } from "@embedeval/provider-bedrock/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  quickstartWorkspace,
  runCliCaptured,
  testAwsEnvironment,
  titanQuickstartConfig,
} from "./cli-harness.js";

// A run whose provider throttles everything for a moment says so while it happens (with the time of
// day), once it is over (how long), and in the result file.

describe("`embedeval run` against a provider that throttles for a while", () => {
  let workspace: string;
  let bedrock: BedrockServer;

  beforeAll(async () => {
    // The first six requests refused: a burst (five failures in a row open the circuit; the first
    // answer after them closes it again).
    let requests = 0;
    bedrock = await startBedrockServer({
      faultFor: () => {
        requests += 1;
        return requests <= 6 ? { kind: "throttle" } : undefined;
      },
    });
    workspace = await quickstartWorkspace("throttled", titanQuickstartConfig(bedrock.url));
  });
  afterAll(async () => {
    await bedrock?.close();
    await rm(workspace, { recursive: true, force: true });
  });

  it("logs when it was throttled and paused, and for how long, in the log and the result file", async () => {
    const result = await runCliCaptured(["run"], workspace, testAwsEnvironment);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/titan: \d\d:\d\d:\d\d throttled by the provider/);
    expect(result.stderr).toMatch(/titan: \d\d:\d\d:\d\d the provider is failing on every call/);
    expect(result.stderr).toMatch(
      /titan: \d\d:\d\d:\d\d the provider answers again; calls resumed after a pause of [\d.]+ s/,
    );
    expect(result.stderr).toMatch(
      /titan × quickstart: throttled 1 time, [\d.]+ s in all; paused 1 time while the provider failed/,
    );
    const file = JSON.parse(
      await readFile(
        join(workspace, "embedeval-results/titan/no_revision_available/quickstart.json"),
        "utf8",
      ),
    ) as { embedeval: { usage: { throttling?: { periods: number; seconds: number } } } };
    expect(file.embedeval.usage.throttling?.periods).toBe(1);
    expect(file.embedeval.usage.throttling?.seconds).toBeGreaterThan(0);
  });
});
