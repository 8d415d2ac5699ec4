/**
 * `embedeval new-plugin`: the package it writes, and that package at work. Inside the workspace the
 * scaffolded package's dependencies are linked to this repository's packages and tools (no registry),
 * then it is typechecked, built with its own tsdown config, and its own test suite runs: the provider
 * conformance suite against its fake API and the plugin checks, which load the built package by name.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { providerSpecificationVersion } from "@embedeval/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../../test/cli-harness.js";

const run = promisify(execFile);
const repositoryRoot = resolve(import.meta.dirname, "../../../..");
const packageName = "@acme/embedeval-provider-foo-bar";

interface JsonReport {
  numTotalTests: number;
  numPassedTests: number;
  testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }>;
}

describe("embedeval new-plugin", () => {
  let workspace: string;
  let folder: string;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-new-plugin-"));
    folder = join(workspace, "embedeval-provider-foo-bar");
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it("writes a publishable plugin package: built exports, types, the contract's caret range, tests, README, changeset", async () => {
    const outcome = await runCliCaptured(["new-plugin", packageName], workspace);
    expect(outcome.stderr).toBe("");
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain("cd embedeval-provider-foo-bar && npm install && npm test");

    const manifest = JSON.parse(await readFile(join(folder, "package.json"), "utf8"));
    const contract = JSON.parse(
      await readFile(join(repositoryRoot, "packages/provider-contract/package.json"), "utf8"),
    );
    expect(manifest).toMatchObject({
      name: packageName,
      type: "module",
      exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
      types: "./dist/index.d.ts",
      files: ["dist"],
      scripts: { build: "tsdown" },
      dependencies: { "@embedeval/provider-contract": `^${contract.version}` },
    });
    // The testkit has its own version line; in this repository it is installed beside the CLI.
    const testkit = JSON.parse(
      await readFile(join(repositoryRoot, "packages/provider-testkit/package.json"), "utf8"),
    );
    expect(manifest.devDependencies["@embedeval/provider-testkit"]).toBe(`^${testkit.version}`);
    expect(manifest.peerDependencies).toBeUndefined();
    expect(manifest.dependencies["@embedeval/core"]).toBeUndefined();
    expect(Object.keys(manifest.devDependencies)).toEqual(
      expect.arrayContaining([
        "@embedeval/provider-testkit",
        "tsdown",
        "typescript",
        "vitest",
        "@changesets/cli",
      ]),
    );

    const index = await readFile(join(folder, "src/index.ts"), "utf8");
    expect(index).toContain(`specificationVersion: "${providerSpecificationVersion}"`);
    expect(index).toContain('name: "foo-bar"');
    const test = await readFile(join(folder, "test/foo-bar-embedding-provider.test.ts"), "utf8");
    expect(test).toContain('from "@embedeval/provider-testkit/conformance"');
    expect(test).toMatch(/describeProviderConformance\(\{/);
    expect(test).toMatch(/describePluginConformance\(\{/);
    const readme = await readFile(join(folder, "README.md"), "utf8");
    expect(readme).toContain(`provider: "${packageName}"`);
    expect(readme).toContain("FOO_BAR_API_KEY");
    const changeset = await readFile(join(folder, ".changeset/first-release.md"), "utf8");
    expect(changeset).toMatch(new RegExp(`^---\\n"${packageName}": minor\\n---\\n`));
    expect(JSON.parse(await readFile(join(folder, ".changeset/config.json"), "utf8")).access).toBe("public");
    for (const path of [
      "tsconfig.json",
      "tsdown.config.ts",
      "vitest.config.ts",
      ".gitignore",
      "test/foo-bar-server.ts",
    ]) {
      expect((await stat(join(folder, path))).isFile(), path).toBe(true);
    }
  });

  it("refuses a name npm would refuse, and a folder that is not empty", async () => {
    const badName = await runCliCaptured(["new-plugin", "Embedeval Provider"], workspace);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain("is not a valid npm package name");
    const again = await runCliCaptured(["new-plugin", packageName], workspace);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already exists and is not empty");
  });

  it("typechecks, builds, passes its own conformance tests, and is evaluated by embedeval", {
    timeout: 180_000,
  }, async () => {
    // node_modules as `npm install` would leave it, linked to this repository's packages and tools.
    const rootRequire = createRequire(join(repositoryRoot, "package.json"));
    const packageFolder = (name: string) => dirname(rootRequire.resolve(`${name}/package.json`));
    const links: Record<string, string> = {
      "@embedeval/provider-contract": join(repositoryRoot, "packages/provider-contract"),
      "@embedeval/provider-testkit": join(repositoryRoot, "packages/provider-testkit"),
      "@types/node": packageFolder("@types/node"),
      tsdown: packageFolder("tsdown"),
      typescript: packageFolder("typescript"),
      vitest: packageFolder("vitest"),
    };
    for (const [name, target] of Object.entries(links)) {
      await mkdir(dirname(join(folder, "node_modules", name)), { recursive: true });
      await symlink(target, join(folder, "node_modules", name), "dir");
    }
    // The workspace's packages are read from their sources (the condition every package here maps to
    // src/), so this test never runs against a stale build of the contract or the testkit.
    await writeFile(
      join(folder, "tsconfig.workspace.json"),
      JSON.stringify({
        extends: "./tsconfig.json",
        compilerOptions: { customConditions: ["@embedeval/source"] },
      }),
    );
    await writeFile(
      join(folder, "vitest.workspace.config.mjs"),
      [
        'import { defineConfig, mergeConfig } from "vitest/config";',
        'import base from "./vitest.config.ts";',
        "export default mergeConfig(base, defineConfig({",
        '  resolve: { conditions: ["@embedeval/source"] },',
        '  ssr: { resolve: { conditions: ["@embedeval/source"] } },',
        "}));",
        "",
      ].join("\n"),
    );
    const options = { cwd: folder, env: { ...process.env, NODE_OPTIONS: "" } };
    const typescript = join(links.typescript as string, "bin/tsc");
    await run(process.execPath, [typescript, "-p", "tsconfig.workspace.json"], options).catch((error) => {
      throw new Error(`the scaffolded package does not typecheck:\n${error.stdout}${error.stderr}`);
    });

    const tsdownBin = JSON.parse(await readFile(join(links.tsdown as string, "package.json"), "utf8")).bin;
    const tsdown = join(links.tsdown as string, typeof tsdownBin === "string" ? tsdownBin : tsdownBin.tsdown);
    await run(process.execPath, [tsdown], options);
    expect((await stat(join(folder, "dist/index.js"))).isFile()).toBe(true);
    expect((await stat(join(folder, "dist/index.d.ts"))).isFile()).toBe(true);

    const report = join(workspace, "report.json");
    const vitest = join(links.vitest as string, "vitest.mjs");
    await run(
      process.execPath,
      [vitest, "run", "--config", "vitest.workspace.config.mjs", "--reporter=json", `--outputFile=${report}`],
      options,
    ).catch(() => undefined);
    const results = JSON.parse(await readFile(report, "utf8")) as JsonReport;
    const failed = results.testResults
      .flatMap((file) => file.assertionResults)
      .filter((result) => result.status !== "passed")
      .map((result) => result.fullName);
    expect(failed).toEqual([]);
    // The provider suite (with its error cases), the four plugin checks and the request test all ran.
    expect(results.numPassedTests).toBeGreaterThanOrEqual(20);
    expect(JSON.stringify(results)).toContain("loads by its package name in plain Node");

    // And embedeval evaluates it: a config names the package's folder, the fake API answers.
    const { startFooBarServer } = (await import(join(folder, "test/foo-bar-server.ts"))) as {
      startFooBarServer: (options: { apiKey: string }) => Promise<{ url: string; close(): Promise<void> }>;
    };
    const server = await startFooBarServer({ apiKey: "evaluation-key" });
    try {
      await cp(join(repositoryRoot, "examples/quickstart/data"), join(workspace, "data"), {
        recursive: true,
      });
      await writeFile(
        join(workspace, "embedeval.yml"),
        [
          "models:",
          "  - id: foo",
          "    provider: ./embedeval-provider-foo-bar",
          "    model: foo-bar-embed-1",
          `    options: { endpoint: "${server.url}" }`,
          "tasks:",
          "  - name: quickstart",
          "    path: ./data",
          "",
        ].join("\n"),
      );
      const evaluation = await runCliCaptured(["run"], workspace, { FOO_BAR_API_KEY: "evaluation-key" });
      expect(evaluation.stderr).not.toContain("error");
      expect(evaluation.code).toBe(0);
      const result = JSON.parse(
        await readFile(
          join(workspace, "embedeval-results/foo/no_revision_available/quickstart.json"),
          "utf8",
        ),
      );
      expect(result.scores.test[0].ndcg_at_10).toBeGreaterThan(0.1);
    } finally {
      await server.close();
    }
  });
});
