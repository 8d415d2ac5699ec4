import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  builtinProviders,
  ConfigError,
  checkProviderInstance,
  checkProviderPluginModule,
  EmbedEvalError,
  isPluginPath,
  type ModelConfig,
  ProviderError,
  type ProviderPlugin,
  type ProviderSettings,
} from "@embedeval/core";

/**
 * Provider packages that ship with embedeval. `local` (onnxruntime-node, a native module) is an optional
 * dependency, like the fast search: an install where it could not be set up still runs every other provider.
 */
const firstPartyPackages: Record<string, () => Promise<unknown>> = {
  bedrock: () => import("@embedeval/provider-bedrock"),
  sagemaker: () => import("@embedeval/provider-sagemaker"),
  openai: () => import("@embedeval/provider-openai"),
  local: () => import("@embedeval/provider-local"),
};

/** The package of a first-party provider, for the message when it is not installed. */
function firstPartyPackageName(provider: string): string {
  return `@embedeval/provider-${provider}`;
}

/**
 * Finds the plugin for a model's `provider`: a built-in, a first-party package, a local plugin by path
 * (`./plugins/mock.mjs` or a plugin's folder, resolved against the config's folder), or any npm package
 * installed in the config's repository that exports a ProviderPlugin (default export or `plugin`).
 *
 * Everything that can go wrong names the plugin: a module that throws while loading, one that exports
 * no plugin, a plugin or a model it creates that implements another contract version (both versions and
 * which side to upgrade), and a create() that fails with an untyped error.
 */
export async function resolveProviderPlugin(model: ModelConfig, configFile: string): Promise<ProviderPlugin> {
  const builtin = builtinProviders.find((plugin) => plugin.name === model.provider);
  if (builtin) return builtin;

  const where = {
    file: configFile,
    ...(model.line ? { line: model.line } : {}),
    key: `models.${model.id}.provider`,
  };
  const name = model.provider;
  const firstParty = firstPartyPackages[name];
  let load: () => Promise<unknown>;
  if (firstParty) {
    load = firstParty;
  } else {
    const entry = isPluginPath(name)
      ? await findLocalPluginEntry(name, dirname(configFile), where)
      : await findPackageEntry(name, dirname(configFile));
    if (!entry) {
      throw new ConfigError(`provider \`${name}\` is neither built in nor an installed package`, {
        ...where,
        hint: `Built-in providers: ${builtinProviders.map((plugin) => plugin.name).join(", ")}, ${Object.keys(firstPartyPackages).join(", ")}. For a plugin, run \`npm install ${name}\` in the config's repository, or give a path starting with ./ for a local plugin file.`,
      });
    }
    load = () => import(pathToFileURL(entry).href);
  }
  let module: unknown;
  try {
    module = await load();
  } catch (error) {
    const packageName = firstPartyPackageName(name);
    const { code, message } = error as NodeJS.ErrnoException;
    if (firstParty && code === "ERR_MODULE_NOT_FOUND" && String(message).includes(`'${packageName}'`)) {
      throw new ConfigError(`provider \`${name}\` needs ${packageName}, which is not installed`, {
        ...where,
        cause: error,
        hint: `Run \`npm install ${packageName}\` next to the embedeval CLI (it is an optional dependency, left out when its native parts could not be installed).`,
      });
    }
    throw new ConfigError(`provider plugin \`${name}\` failed to load: ${describeError(error)}`, {
      ...where,
      cause: error,
      hint: isPluginPath(name)
        ? "Fix that error in the plugin's code; a local plugin must be JavaScript (ESM) that Node can import (build a TypeScript plugin first)."
        : `Reinstall it (\`npm install ${name}\`); if the error persists, it is a bug or a missing build in ${name}: report it to its author.`,
    });
  }
  const check = checkProviderPluginModule(module, name);
  if (check.problem) throw new ConfigError(check.problem.message, { ...where, hint: check.problem.hint });
  return withCheckedCreate(check.plugin, name);
}

/** The plugin, with create() checking what it returns and naming the plugin in untyped errors. */
function withCheckedCreate(plugin: ProviderPlugin, name: string): ProviderPlugin {
  return {
    ...plugin,
    create: async (settings: ProviderSettings) => {
      let instance: Awaited<ReturnType<ProviderPlugin["create"]>>;
      try {
        instance = await plugin.create(settings);
      } catch (error) {
        // The plugin's own typed errors (a missing key, a bad option) already say what to fix.
        if (EmbedEvalError.is(error)) throw error;
        throw new ProviderError(
          `provider plugin \`${name}\` failed to create model \`${settings.model}\`: ${describeError(error)}`,
          {
            provider: plugin.name,
            retryable: false,
            cause: error,
            hint: `This is a bug in ${name} (create threw an untyped error): report it to its author.`,
          },
        );
      }
      const problem = checkProviderInstance(instance, name, settings.model);
      if (problem) {
        await (instance as { close?: () => Promise<void> })?.close?.().catch(() => undefined);
        throw new ConfigError(problem.message, { hint: problem.hint });
      }
      return instance;
    },
  };
}

function describeError(error: unknown): string {
  return error instanceof Error
    ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}`
    : String(error);
}

/**
 * A local plugin: a JavaScript file, or a plugin package's folder (its package.json `exports` say which
 * file), resolved against the config's folder.
 */
async function findLocalPluginEntry(
  provider: string,
  configDirectory: string,
  where: { file: string; line?: number; key: string },
): Promise<string> {
  const path = resolve(configDirectory, provider);
  const stats = await stat(path).catch(() => undefined);
  if (!stats) {
    throw new ConfigError(`provider plugin file \`${provider}\` not found (looked for ${path})`, {
      ...where,
      hint: "A local plugin path is resolved against the config file's folder; check the path and that the plugin is built.",
    });
  }
  if (stats.isFile()) return path;
  const manifest = await readFile(join(path, "package.json"), "utf8").catch(() => undefined);
  const parsed =
    manifest === undefined
      ? {}
      : (JSON.parse(manifest) as { exports?: unknown; main?: string; module?: string });
  return join(path, exportTarget(parsed.exports) ?? parsed.module ?? parsed.main ?? "index.js");
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
