import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { builtinProviders, ConfigError, type ModelConfig, type ProviderPlugin } from "@embedeval/core";

/** Provider packages that ship with embedeval and are installed with the CLI. */
const firstPartyPackages: Record<string, () => Promise<unknown>> = {
  bedrock: () => import("@embedeval/provider-bedrock"),
  sagemaker: () => import("@embedeval/provider-sagemaker"),
};

/**
 * Finds the plugin for a model's `provider`: a built-in, a first-party package, or any npm package
 * installed in the config's repository that exports a ProviderPlugin (default export or `plugin`).
 */
export async function resolveProviderPlugin(model: ModelConfig, configFile: string): Promise<ProviderPlugin> {
  const builtin = builtinProviders.find((plugin) => plugin.name === model.provider);
  if (builtin) return builtin;

  const where = {
    file: configFile,
    ...(model.line ? { line: model.line } : {}),
    key: `models.${model.id}.provider`,
  };
  const firstParty = firstPartyPackages[model.provider];
  let module: unknown;
  if (firstParty) {
    module = await firstParty();
  } else {
    const entry = await findPackageEntry(model.provider, dirname(configFile));
    if (!entry) {
      throw new ConfigError(`provider \`${model.provider}\` is neither built in nor an installed package`, {
        ...where,
        hint: `Built-in providers: ${builtinProviders.map((plugin) => plugin.name).join(", ")}, ${Object.keys(firstPartyPackages).join(", ")}. For a plugin, run \`npm install ${model.provider}\` in the config's repository.`,
      });
    }
    module = await import(pathToFileURL(entry).href);
  }
  const candidate = pickPlugin(module);
  if (!candidate) {
    throw new ConfigError(`package \`${model.provider}\` does not export an embedeval provider plugin`, {
      ...where,
      hint: 'A plugin exports (default or as `plugin`) an object with specificationVersion "v1", a name and create(settings).',
    });
  }
  return candidate;
}

function pickPlugin(module: unknown): ProviderPlugin | undefined {
  const record = module as Record<string, unknown>;
  for (const candidate of [
    record.default,
    record.plugin,
    (record.default as Record<string, unknown> | undefined)?.default,
  ]) {
    if (
      typeof candidate === "object" &&
      candidate !== null &&
      (candidate as ProviderPlugin).specificationVersion === "v1" &&
      typeof (candidate as ProviderPlugin).create === "function"
    ) {
      return candidate as ProviderPlugin;
    }
  }
  return undefined;
}

/**
 * Resolves an ESM package's entry from a folder the way Node would for `import`, walking up through
 * node_modules folders. (import.meta.resolve cannot resolve from another folder on Node 20.)
 */
async function findPackageEntry(name: string, fromDirectory: string): Promise<string | undefined> {
  let directory = fromDirectory;
  for (;;) {
    const packageDirectory = join(directory, "node_modules", name);
    const manifest = await readFile(join(packageDirectory, "package.json"), "utf8").catch(() => undefined);
    if (manifest !== undefined) {
      const parsed = JSON.parse(manifest) as { exports?: unknown; main?: string; module?: string };
      const target = exportTarget(parsed.exports) ?? parsed.module ?? parsed.main ?? "index.js";
      return join(packageDirectory, target);
    }
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

function exportTarget(exports: unknown): string | undefined {
  if (typeof exports === "string") return exports;
  if (typeof exports !== "object" || exports === null) return undefined;
  const record = exports as Record<string, unknown>;
  const root = "." in record ? record["."] : record;
  if (typeof root === "string") return root;
  if (typeof root !== "object" || root === null) return undefined;
  const conditions = root as Record<string, unknown>;
  for (const condition of ["import", "node", "default"]) {
    const value = conditions[condition];
    const target = typeof value === "string" ? value : exportTarget(value);
    if (target) return target;
  }
  return undefined;
}
