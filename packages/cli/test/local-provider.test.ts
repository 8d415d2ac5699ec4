import { spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickstartWorkspace, runCliCaptured } from "./cli-harness.js";

// `provider: local` by name: the optional @embedeval/provider-local runs a tiny sentence-transformers
// model (its test fixture) in-process on the quickstart dataset, and a clear error when it is missing.
const repositoryRoot = resolve(import.meta.dirname, "../../..");
const tinyModel = join(repositoryRoot, "packages/provider-local/test/fixtures/tiny-mean");

describe("embedeval run with provider local", () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await quickstartWorkspace("local", [
      "models:",
      "  - id: tiny",
      "    provider: local",
      `    model: ${JSON.stringify(tinyModel)}`,
      "    options: { threads: 1 }",
      "tasks:",
      "  - name: quickstart",
      "    path: ./data",
    ]);
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it("evaluates a local model by name and embeds nothing again on a rerun", async () => {
    const first = await runCliCaptured(["run"], workspace, {});
    expect(first.stderr).not.toMatch(/^error/m);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/tiny\s+quickstart/);
    const result = JSON.parse(
      await readFile(join(workspace, "embedeval-results/tiny/no_revision_available/quickstart.json"), "utf8"),
    );
    expect(result.embedeval.model.provider).toBe("local");
    expect(result.embedeval.usage.tokensSource).toBe("provider");
    const second = await runCliCaptured(["run"], workspace, {});
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/cache: [\d,]+ hits, 0 misses/);
  });

  it("names the package to install when @embedeval/provider-local is absent", async () => {
    // A resolve hook that answers for @embedeval/provider-local as Node does for a package not installed.
    const hooks = join(workspace, "without-provider-local.mjs");
    await writeFile(
      hooks,
      [
        "export async function resolve(specifier, context, next) {",
        '  if (specifier === "@embedeval/provider-local") {',
        `    const error = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL);`,
        '    error.code = "ERR_MODULE_NOT_FOUND";',
        "    throw error;",
        "  }",
        "  return next(specifier, context);",
        "}",
      ].join("\n"),
    );
    const register = join(workspace, "register.mjs");
    await writeFile(
      register,
      `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    const child = spawn(
      process.execPath,
      [
        "--conditions=@embedeval/source",
        "--import",
        "tsx",
        "--import",
        pathToFileURL(register).href,
        join(repositoryRoot, "packages/cli/src/main.ts"),
        "run",
        "--config",
        join(workspace, "embedeval.yml"),
      ],
      { cwd: repositoryRoot, env: { ...process.env, CI: "true" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolveExit) => child.on("exit", resolveExit));
    expect(code).not.toBe(0);
    expect(output).toContain("needs @embedeval/provider-local, which is not installed");
    expect(output).toContain("npm install @embedeval/provider-local");
  });
});
