import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BedrockServer, startBedrockServer } from "@embedeval/provider-bedrock/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured, testAwsEnvironment } from "./cli-harness.js";

// Hostile or broken input ends in a named error before any paid call: exit 2 for the config, no stack.
const quickstartData = resolve(import.meta.dirname, "../../../examples/quickstart/data");

describe("`embedeval run` with hostile input", () => {
  let workspace: string;
  let bedrock: BedrockServer;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-hostile-"));
    await cp(quickstartData, join(workspace, "data"), { recursive: true });
    bedrock = await startBedrockServer();
  });
  afterAll(async () => {
    await bedrock?.close();
    await rm(workspace, { recursive: true, force: true });
  });

  async function run(config: string[]) {
    await writeFile(join(workspace, "embedeval.yml"), [...config, ""].join("\n"));
    return runCliCaptured(["run"], workspace, testAwsEnvironment);
  }

  const titan = [
    "models:",
    "  - id: titan",
    "    provider: bedrock",
    "    model: amazon.titan-embed-text-v2:0",
  ];

  it("refuses an output folder that is a file before any paid call", async () => {
    await writeFile(join(workspace, "not-a-folder"), "a file in the way\n");
    const before = bedrock.calls.length;
    const result = await run([
      ...titan,
      `    options: { dimensions: 256, endpoint: "${bedrock.url}" }`,
      "tasks:",
      "  - name: quickstart",
      "    path: ./data",
      "output:",
      "  directory: ./not-a-folder/results",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the output folder .*not-a-folder.results cannot be written \(ENOTDIR\)/);
    expect(result.stderr).toContain("A file is in the way");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(bedrock.calls.length).toBe(before);
  });

  it("refuses names that would collide or escape as files, by what a name may hold", async () => {
    const result = await run([
      ...titan,
      "tasks:",
      '  - name: "a<b"',
      "    path: ./data",
      '  - name: "../../etc"',
      "    path: ./data",
      '  - name: "red\\u001b[31m"',
      "    path: ./data",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("`tasks[0].name` is `a<b`, which is not a name of letters, digits");
    expect(result.stderr).toContain("`tasks[1].name` is `../../etc`");
    // The escape sequence is named, never sent to the terminal.
    expect(result.stderr).not.toContain("\u001b[31m");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("reports an alias bomb as a config error (exit 2), and accepts ordinary aliases", async () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let level = 1; level < 9; level += 1) {
      const name = String.fromCharCode(97 + level);
      bomb.push(
        `${name}: &${name} [${Array(10)
          .fill(`*${String.fromCharCode(96 + level)}`)
          .join(", ")}]`,
      );
    }
    const exploded = await run([...bomb, ...titan, "tasks:", "  - name: quickstart", "    path: ./data"]);
    expect(exploded.code).toBe(2);
    expect(exploded.stderr).toMatch(/YAML aliases expand past 1000 nodes/);
    expect(exploded.stderr).not.toMatch(/ReferenceError|\n\s+at /);

    const aliased = await run([
      "models:",
      "  - id: titan",
      "    provider: bedrock",
      "    model: amazon.titan-embed-text-v2:0",
      `    options: &titan { dimensions: 256, endpoint: "${bedrock.url}" }`,
      "  - id: titan-again",
      "    provider: bedrock",
      "    model: amazon.titan-embed-text-v2:0",
      "    options: *titan",
      "tasks:",
      "  - name: quickstart",
      "    path: ./data",
    ]);
    expect(aliased.stderr).not.toContain("error");
    expect(aliased.code).toBe(0);
  });
});
