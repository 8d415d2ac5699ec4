/**
 * The ranges `embedeval new-plugin` writes for the contract and the testkit, resolved in an installed layout
 * built on disk: node_modules/@embedeval/cli (the module resolving), core, and whatever each case installs.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import Module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "@embedeval/core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { newPluginDependencyRange } from "./new-plugin-dependency-range.js";

let project: string;
let cliModule: string;

// pnpm's shim that starts vitest sets NODE_PATH to the workspace's hoisted packages (the testkit among
// them), which a user's project does not have: resolve without it, as in a user's project, while these run.
const modulePaths = Module as unknown as { _initPaths(): void };
const nodePath = process.env.NODE_PATH;
beforeAll(() => {
  delete process.env.NODE_PATH;
  modulePaths._initPaths();
});
afterAll(() => {
  if (nodePath !== undefined) process.env.NODE_PATH = nodePath;
  modulePaths._initPaths();
});

async function install(name: string, manifest: Record<string, unknown>): Promise<void> {
  const folder = join(project, "node_modules", name);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, "package.json"), JSON.stringify({ name, ...manifest }));
}

beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), "embedeval-dependency-range-"));
  // Released with one version, the CLI and core; the testkit and the contract with their own.
  await install("@embedeval/cli", {
    version: "0.7.1",
    dependencies: { "@embedeval/core": "0.7.1" },
    devDependencies: { "@embedeval/provider-testkit": "^0.3.0" },
  });
  await install("@embedeval/core", {
    version: "0.7.1",
    dependencies: { "@embedeval/provider-contract": "^0.2.0" },
  });
  await install("@embedeval/provider-contract", { version: "0.2.4" });
  await mkdir(join(project, "node_modules/@embedeval/cli/dist"));
  cliModule = pathToFileURL(join(project, "node_modules/@embedeval/cli/dist/main.js")).href;
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

describe("newPluginDependencyRange", () => {
  it("asks for the contract installed with core, by a caret of its version", async () => {
    expect(await newPluginDependencyRange("@embedeval/provider-contract", cliModule)).toBe("^0.2.4");
  });

  it("asks for the testkit the CLI was released with when none is installed, not the CLI's version", async () => {
    expect(await newPluginDependencyRange("@embedeval/provider-testkit", cliModule)).toBe("^0.3.0");
  });

  it("prefers a testkit installed beside the CLI", async () => {
    await install("@embedeval/provider-testkit", { version: "0.3.5" });
    expect(await newPluginDependencyRange("@embedeval/provider-testkit", cliModule)).toBe("^0.3.5");
  });

  it("refuses to guess when the package is neither installed nor recorded with a released range", async () => {
    await install("@embedeval/cli", {
      version: "0.7.1",
      devDependencies: { "@embedeval/provider-testkit": "workspace:^" },
    });
    const attempt = newPluginDependencyRange("@embedeval/provider-testkit", cliModule);
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow("cannot tell which @embedeval/provider-testkit release");
  });
});
