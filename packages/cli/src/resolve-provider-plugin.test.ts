/**
 * Loading third-party plugins as a user's repository holds them: real files in a temporary folder
 * (a local plugin next to the config, packages under node_modules), run through the whole CLI.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { providerSpecificationVersion } from "@embedeval/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickstartWorkspace, runCliCaptured } from "../test/cli-harness.js";

/**
 * A working plugin in plain JavaScript: hashed bag-of-words vectors (so retrieval scores above zero),
 * with the plugin's and the model's contract versions as given.
 */
function pluginSource(
  options: { pluginVersion?: string; modelVersion?: string; name?: string } = {},
): string {
  const pluginVersion = JSON.stringify(options.pluginVersion ?? providerSpecificationVersion);
  const modelVersion = JSON.stringify(options.modelVersion ?? providerSpecificationVersion);
  return `
const dimensions = 256;
function embedText(text) {
  const vector = new Float32Array(dimensions);
  for (const word of text.toLowerCase().split(/\\W+/).filter(Boolean)) {
    let hash = 2166136261;
    for (let index = 0; index < word.length; index++) hash = Math.imul(hash ^ word.charCodeAt(index), 16777619);
    vector[(hash >>> 0) % dimensions] += 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}
export const plugin = {
  specificationVersion: ${pluginVersion},
  name: ${JSON.stringify(options.name ?? "mock")},
  create: (settings) => ({
    specificationVersion: ${modelVersion},
    provider: ${JSON.stringify(options.name ?? "mock")},
    modelId: settings.model,
    capabilities: { maxInputsPerCall: 32, dimensions, normalized: true, supportsParallelCalls: true },
    vectorOptions: { dimensions },
    async embed({ texts }) {
      return { embeddings: texts.map(embedText), usage: { tokens: texts.length, source: "estimated" } };
    },
  }),
};
export default plugin;
`;
}

async function writePackage(
  root: string,
  name: string,
  files: Record<string, string>,
  exportsField: unknown,
) {
  const folder = join(root, "node_modules", name);
  await mkdir(folder, { recursive: true });
  await writeFile(
    join(folder, "package.json"),
    JSON.stringify({ name, version: "1.0.0", type: "module", exports: exportsField }),
  );
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(folder, file, ".."), { recursive: true });
    await writeFile(join(folder, file), text);
  }
}

function config(provider: string, output: string): string[] {
  return [
    "models:",
    "  - id: plugged",
    `    provider: "${provider}"`,
    "    model: mock-embed-1",
    "tasks:",
    "  - name: quickstart",
    "    path: ../data",
    `output: { directory: ./${output} }`,
    "cache: { enabled: false }",
  ];
}

describe("loading provider plugins", () => {
  let workspace: string;

  beforeAll(async () => {
    workspace = await quickstartWorkspace("plugins");
    await mkdir(join(workspace, "plugins"), { recursive: true });
    await writeFile(join(workspace, "plugins/mock.mjs"), pluginSource());
    await writeFile(join(workspace, "plugins/model-v2.mjs"), pluginSource({ modelVersion: "v2" }));
    await writeFile(
      join(workspace, "plugins/create-throws.mjs"),
      'export default { specificationVersion: "v1", name: "broken", create() { return undefined.client; } };\n',
    );
    await writePackage(
      workspace,
      "@acme/plugin-v2",
      { "index.js": pluginSource({ pluginVersion: "v2" }) },
      "./index.js",
    );
    await writePackage(
      workspace,
      "@acme/plugin-v0",
      { "index.js": pluginSource({ pluginVersion: "v0" }) },
      {
        ".": { import: "./index.js" },
      },
    );
    await writePackage(
      workspace,
      "@acme/throws-on-import",
      { "index.js": 'throw new Error("ACME_API_KEY handling broke at import");\n' },
      "./index.js",
    );
    await writePackage(
      workspace,
      "@acme/not-a-plugin",
      { "index.js": "export const helper = 1;\n" },
      "./index.js",
    );
    // A plugin package's folder by path, as while developing it next to the config.
    await mkdir(join(workspace, "my-plugin/dist"), { recursive: true });
    await writeFile(
      join(workspace, "my-plugin/package.json"),
      JSON.stringify({ name: "my-plugin", type: "module", exports: { ".": { default: "./dist/index.js" } } }),
    );
    await writeFile(join(workspace, "my-plugin/dist/index.js"), pluginSource({ name: "mine" }));
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  async function run(provider: string, output: string) {
    await mkdir(join(workspace, "configs"), { recursive: true });
    // Configs live one folder down, so a path that resolved against the working folder would miss.
    const file = join(workspace, "configs", `${output}.yml`);
    await writeFile(file, [...config(provider, `../${output}`), ""].join("\n"));
    return runCliCaptured(["run", "--config", file], workspace);
  }

  it("loads a local plugin by path, resolved against the config's folder, and scores with it", async () => {
    const outcome = await run("../plugins/mock.mjs", "local-results");
    expect(outcome.stderr).not.toContain("error");
    expect(outcome.code).toBe(0);
    const result = JSON.parse(
      await readFile(join(workspace, "local-results/plugged/no_revision_available/quickstart.json"), "utf8"),
    );
    expect(result.embedeval.model.provider).toBe("../plugins/mock.mjs");
    expect(result.scores.test[0].ndcg_at_10).toBeGreaterThan(0.1);

    const folder = await run("../my-plugin", "folder-results");
    expect(folder.stderr).not.toContain("error");
    expect(folder.code).toBe(0);
  });

  it("gives a plugin a folder of its own in the run's cache, and none when the run caches nothing", async () => {
    const log = join(workspace, "cache-directories.jsonl");
    // The mock plugin, its create() noting the folder it was given.
    const source = pluginSource({ name: "@acme/notes" }).replace(
      "create: (settings) => ({",
      `create: (settings) => (appendFileSync(${JSON.stringify(log)}, JSON.stringify({ folder: settings.cacheDirectory ?? null }) + "\\n"), {`,
    );
    await writeFile(
      join(workspace, "plugins/notes.mjs"),
      `import { appendFileSync } from "node:fs";\n${source}`,
    );
    const file = join(workspace, "configs", "cached.yml");
    await mkdir(join(workspace, "configs"), { recursive: true });
    const lines = config("../plugins/notes.mjs", "../cached-results").filter(
      (line) => !line.startsWith("cache:"),
    );
    await writeFile(file, [...lines, "cache: { directory: ../notes-cache }", ""].join("\n"));
    expect((await runCliCaptured(["run", "--config", file], workspace)).code).toBe(0);
    expect((await runCliCaptured(["run", "--config", file, "--no-cache"], workspace)).code).toBe(0);
    const seen = (await readFile(log, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).folder);
    // The plugin's name made safe for a folder name ("@" and "/" escaped).
    expect(seen).toEqual([join(workspace, "notes-cache", "providers-v1", "%40acme%2Fnotes"), null]);
  });

  it("says which side to upgrade when a plugin implements another contract version", async () => {
    const newer = await run("@acme/plugin-v2", "v2-results");
    expect(newer.code).toBe(2);
    expect(newer.stderr).toContain(
      `plugin \`@acme/plugin-v2\` implements provider contract v2, but this embedeval implements ${providerSpecificationVersion}`,
    );
    expect(newer.stderr).toMatch(/hint: Upgrade embedeval \(@embedeval\/cli/);
    expect(newer.stderr).not.toContain("does not export");

    const older = await run("@acme/plugin-v0", "v0-results");
    expect(older.code).toBe(2);
    expect(older.stderr).toContain("`@acme/plugin-v0` implements provider contract v0");
    expect(older.stderr).toContain("hint: Upgrade @acme/plugin-v0 to a release built for provider contract");
  });

  it("refuses a model whose instance reports another contract version instead of scoring it 0", async () => {
    const outcome = await run("../plugins/model-v2.mjs", "model-v2-results");
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(
      "model `mock-embed-1` created by plugin `../plugins/model-v2.mjs` implements provider contract v2",
    );
    expect(outcome.stdout).not.toMatch(/plugged\s+quickstart/);
  });

  it("names the package when it throws while loading or exports no plugin", async () => {
    const throws = await run("@acme/throws-on-import", "throws-results");
    expect(throws.code).toBe(2);
    expect(throws.stderr).toContain(
      "provider plugin `@acme/throws-on-import` failed to load: ACME_API_KEY handling broke at import",
    );
    expect(throws.stderr).not.toMatch(/\n\s+at /);

    const notPlugin = await run("@acme/not-a-plugin", "not-plugin-results");
    expect(notPlugin.code).toBe(2);
    expect(notPlugin.stderr).toContain("`@acme/not-a-plugin` does not export an embedeval provider plugin");
    expect(notPlugin.stderr).toContain("helper");
  });

  it("names the plugin when its create() fails with an untyped error", async () => {
    const outcome = await run("../plugins/create-throws.mjs", "create-throws-results");
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(
      /provider plugin `\.\.\/plugins\/create-throws\.mjs` failed to create model `mock-embed-1`: TypeError: /,
    );
    expect(outcome.stderr).toContain("report it to its author");
  });

  it("reports a missing local plugin file with the path it looked at", async () => {
    const outcome = await run("./plugins/missing.mjs", "missing-results");
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("provider plugin file `./plugins/missing.mjs` not found");
    expect(outcome.stderr).toContain(join(workspace, "configs/plugins/missing.mjs"));
  });
});
