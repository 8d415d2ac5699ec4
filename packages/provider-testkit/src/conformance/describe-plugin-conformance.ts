/**
 * The plugin package as embedeval meets it: the exported plugin object, the model its create() returns,
 * and the package loaded by its name in a plain Node process from its built files, the way the CLI loads
 * an installed plugin. The same checks as the CLI's loader (checkProviderPlugin and friends from
 * @embedeval/provider-contract), so a plugin that passes here loads there.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  checkProviderInstance,
  checkProviderPlugin,
  checkProviderPluginModule,
  type ProviderPlugin,
  type ProviderSettings,
} from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

export interface PluginConformanceOptions {
  /** The plugin object the package exports (its default export or `plugin`), imported by the test. */
  plugin: unknown;
  /**
   * The plugin package's folder (where its package.json is), e.g. `join(import.meta.dirname, "..")`.
   * The package is imported by its name from there in a plain Node process, so its `exports` must
   * point at built JavaScript: build before testing (`npm run build && vitest run`).
   */
  packageDirectory: string;
  /** Settings to call create() with (no call is made to the model); without them create() is not checked. */
  settings?: ProviderSettings | (() => ProviderSettings);
}

/** What a plain Node process saw when it imported the package by name (values JSON cannot carry are described). */
interface LoadedExports {
  error?: string;
  exports?: string[];
  candidates?: Record<"default" | "plugin" | "defaultDefault", Record<string, unknown> | null>;
}

// Runs in the child: imports the package by its name (a package may import itself by name, which Node
// resolves through the package's own `exports`, with no test-runner or TypeScript loader involved).
const loaderScript = `
const describe = (value) => typeof value === "object" && value !== null
  ? { specificationVersion: value.specificationVersion, name: value.name, create: typeof value.create, knownModels: value.knownModels, keys: Object.keys(value) }
  : null;
try {
  const module = await import(process.env.EMBEDEVAL_PLUGIN_PACKAGE);
  process.stdout.write(JSON.stringify({
    exports: Object.keys(module),
    candidates: { default: describe(module.default), plugin: describe(module.plugin), defaultDefault: describe(module.default?.default) },
  }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: String(error?.stack ?? error) }));
}
`;

async function loadByName(packageDirectory: string, packageName: string): Promise<LoadedExports> {
  // Without the parent's NODE_OPTIONS: a TypeScript loader there would hide `exports` naming .ts files.
  const { NODE_OPTIONS: _nodeOptions, ...environment } = process.env;
  const { stdout } = await run(process.execPath, ["--input-type=module", "--eval", loaderScript], {
    cwd: packageDirectory,
    env: { ...environment, EMBEDEVAL_PLUGIN_PACKAGE: packageName },
  });
  return JSON.parse(stdout) as LoadedExports;
}

/** A stand-in with the loaded plugin's checked fields (functions cannot cross the process boundary). */
function standIn(described: Record<string, unknown> | null | undefined): unknown {
  if (!described) return undefined;
  return {
    ...Object.fromEntries((described.keys as string[]).map((key) => [key, null])),
    specificationVersion: described.specificationVersion,
    name: described.name,
    knownModels: described.knownModels,
    create: described.create === "function" ? () => undefined : undefined,
  };
}

/**
 * Registers a `describe` block checking the plugin package. Call it at the top level of a vitest file:
 *
 *     describePluginConformance({ plugin, packageDirectory: join(import.meta.dirname, ".."), settings });
 */
export function describePluginConformance(options: PluginConformanceOptions): void {
  const label =
    typeof (options.plugin as ProviderPlugin | undefined)?.name === "string"
      ? (options.plugin as ProviderPlugin).name
      : options.packageDirectory;

  describe(`plugin conformance: ${label}`, () => {
    const manifest = async () =>
      JSON.parse(await readFile(join(options.packageDirectory, "package.json"), "utf8")) as {
        name?: string;
        dependencies?: Record<string, string>;
      };

    it("exports a plugin object embedeval accepts: contract version, name, create()", () => {
      const check = checkProviderPlugin(options.plugin, label);
      expect(
        check.problem,
        check.problem && `${check.problem.message} (${check.problem.hint})`,
      ).toBeUndefined();
    });

    if (options.settings) {
      const settings = options.settings;
      it("creates a model of the same contract version that embeds or retrieves", async () => {
        const plugin = options.plugin as ProviderPlugin;
        const resolved = typeof settings === "function" ? settings() : settings;
        const instance = await plugin.create(resolved);
        try {
          const problem = checkProviderInstance(instance, label, resolved.model);
          expect(problem, problem && `${problem.message} (${problem.hint})`).toBeUndefined();
        } finally {
          await (instance as { close?: () => Promise<void> }).close?.();
        }
      });
    }

    it("depends on @embedeval/provider-contract directly, so it installs with the plugin", async () => {
      const { dependencies = {} } = await manifest();
      expect(
        dependencies["@embedeval/provider-contract"],
        "package.json `dependencies` (not devDependencies or peerDependencies) lists @embedeval/provider-contract with a caret range",
      ).toBeDefined();
    });

    it("loads by its package name in plain Node, from its built files, as embedeval loads it", async () => {
      const { name } = await manifest();
      expect(name, "package.json has a name").toBeTypeOf("string");
      const loaded = await loadByName(options.packageDirectory, name as string);
      expect(
        loaded.error,
        `importing ${name} failed; is the package built (npm run build) and do its exports name .js files?`,
      ).toBeUndefined();
      const candidates = loaded.candidates;
      const module = {
        ...Object.fromEntries((loaded.exports ?? []).map((key) => [key, null])),
        default: candidates?.defaultDefault
          ? { ...(standIn(candidates.default) as object), default: standIn(candidates.defaultDefault) }
          : standIn(candidates?.default),
        plugin: standIn(candidates?.plugin),
      };
      const check = checkProviderPluginModule(module, name as string);
      expect(
        check.problem,
        check.problem && `${check.problem.message} (${check.problem.hint})`,
      ).toBeUndefined();
    });
  });
}
