import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type BedrockServer, startBedrockServer } from "@embedeval/provider-bedrock/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  quickstartWorkspace,
  runCliCaptured,
  testAwsEnvironment,
  titanQuickstartConfig,
} from "./cli-harness.js";

// Ctrl-C in the middle of a paid run: the CLI process stops with a clear line, everything that arrived
// is in the cache, and the rerun pays only for the rest.
const repositoryRoot = resolve(import.meta.dirname, "../../..");
const environment = testAwsEnvironment;

describe("interrupting `embedeval run`", () => {
  let workspace: string;
  let bedrock: BedrockServer;

  beforeAll(async () => {
    bedrock = await startBedrockServer({ latencyMs: 15 });
    workspace = await quickstartWorkspace(
      "interrupt",
      titanQuickstartConfig(bedrock.url, ["    runtime: { maxConcurrency: 2 }"]),
    );
  });
  afterAll(async () => {
    await bedrock?.close();
    await rm(workspace, { recursive: true, force: true });
  });

  it("stops on SIGINT with exit 130, caches the calls in flight, and the rerun re-pays no text", async () => {
    const child = spawn(
      process.execPath,
      [
        "--conditions=@embedeval/source",
        "--import",
        "tsx",
        join(repositoryRoot, "packages/cli/src/main.ts"),
        "run",
        "--config",
        join(workspace, "embedeval.yml"),
      ],
      // From the repository root, where tsx is installed; the config's paths resolve against its own folder.
      {
        cwd: repositoryRoot,
        env: { ...process.env, ...environment, CI: "true" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exitCode = new Promise<number | null>((resolveExit) =>
      child.on("exit", (code) => resolveExit(code)),
    );

    // Interrupt once a good part of the corpus has been answered, but well before the end (393 texts).
    while (bedrock.calls.filter((call) => call.status === 200).length < 60) {
      if (child.exitCode !== null) throw new Error(`the run ended before it was interrupted:\n${stderr}`);
      await new Promise((wait) => setTimeout(wait, 20));
    }
    // Then stall the server so both calls in flight are slow (as with a slow provider): at the interrupt
    // they are in flight, already paid for, and answer 3 s later, within the grace period.
    bedrock.queueFaults(...Array.from({ length: 2 }, () => ({ kind: "delay" as const, milliseconds: 3000 })));
    while (bedrock.calls.filter((call) => call.fault === "delay").length < 2) {
      await new Promise((wait) => setTimeout(wait, 10));
    }
    await new Promise((wait) => setTimeout(wait, 200));
    child.kill("SIGINT");
    expect(await exitCode).toBe(130);
    expect(stderr).toContain("stopping: no new calls; calls in flight may still answer and are cached");
    expect(stderr).toContain("waiting up to 15 s for 2 calls in flight");
    expect(stderr).toMatch(/Cancelled: \d+ of \d+ texts embedded and cached; rerun to resume/);

    // Every call the server received before the interrupt was paid for, the two hanging ones included:
    // they answered within the grace period and were cached.
    const paidBefore = bedrock.calls.flatMap((call) => call.texts);
    expect(paidBefore.length).toBeLessThan(393);
    const callsBefore = bedrock.calls.length;

    const rerun = await runCliCaptured(["run"], workspace, environment);
    expect(rerun.code).toBe(0);
    const sentAfter = bedrock.calls.slice(callsBefore).flatMap((call) => call.texts);
    // Everything not sent before is sent now, and not one text paid for before is paid for again.
    const paid = new Set(paidBefore);
    expect(sentAfter.filter((text) => paid.has(text))).toEqual([]);
    expect(paidBefore.length + sentAfter.length).toBe(393);
  });
});
