/**
 * What makes a module a usable provider plugin, checked the same way by embedeval's loader and by the
 * testkit's plugin checks: one home for the rules, so a plugin that passes its own tests loads.
 *
 * Contract negotiation: a plugin and each model it creates state the contract version they implement
 * (`specificationVersion`); the engine accepts only its own. A mismatch is reported with the plugin's
 * name, both versions and which side to upgrade, never as "not a plugin" or as a run that scores 0.
 */
import {
  type EmbeddingProvider,
  type ProviderPlugin,
  providerSpecificationVersion,
  type Retriever,
} from "./embedding-provider.js";

/** Why a module or model cannot be used, in words for the user: what is wrong and how to fix it. */
export interface PluginProblem {
  message: string;
  hint: string;
}

export type ProviderPluginCheck =
  | { plugin: ProviderPlugin; problem?: undefined }
  | { plugin?: undefined; problem: PluginProblem };

/**
 * Finds the plugin a module exports (default export, `plugin`, or the default of a CommonJS-style
 * default) and checks it. `pluginName` is how the user named it (package name or path), for messages.
 */
export function checkProviderPluginModule(module: unknown, pluginName: string): ProviderPluginCheck {
  const record = (typeof module === "object" && module !== null ? module : {}) as Record<string, unknown>;
  const candidates = [
    record.default,
    record.plugin,
    (record.default as Record<string, unknown> | undefined)?.default,
  ];
  // The first export that looks like a plugin is judged, so a plugin for another contract version is
  // told so instead of "not a plugin".
  const candidate = candidates.find(
    (value) =>
      typeof value === "object" && value !== null && ("create" in value || "specificationVersion" in value),
  );
  if (candidate === undefined) {
    const exported = Object.keys(record);
    return {
      problem: {
        message: `\`${pluginName}\` does not export an embedeval provider plugin (its exports: ${exported.length > 0 ? exported.join(", ") : "none"})`,
        hint: `A plugin's default export (or its export named \`plugin\`) is an object with specificationVersion "${providerSpecificationVersion}", a name and create(settings); see docs/writing-a-plugin.md.`,
      },
    };
  }
  return checkProviderPlugin(candidate, pluginName);
}

/** Checks one exported plugin object: its contract version, name and create function. */
export function checkProviderPlugin(candidate: unknown, pluginName: string): ProviderPluginCheck {
  const plugin = candidate as Partial<Record<keyof ProviderPlugin, unknown>>;
  const versionProblem = specificationVersionProblem(
    plugin.specificationVersion,
    `plugin \`${pluginName}\``,
    pluginName,
  );
  if (versionProblem) return { problem: versionProblem };
  if (typeof plugin.name !== "string" || plugin.name.length === 0) {
    return {
      problem: {
        message: `plugin \`${pluginName}\` has no name`,
        hint: 'Give the plugin object a non-empty `name` (the provider name used in messages, e.g. "acme").',
      },
    };
  }
  if (typeof plugin.create !== "function") {
    return {
      problem: {
        message: `plugin \`${pluginName}\` has no create(settings) function`,
        hint: "The plugin object's `create` receives the model's settings and returns an EmbeddingProvider or a Retriever.",
      },
    };
  }
  if (
    plugin.knownModels !== undefined &&
    !(Array.isArray(plugin.knownModels) && plugin.knownModels.every((model) => typeof model === "string"))
  ) {
    return {
      problem: {
        message: `plugin \`${pluginName}\` has a knownModels that is not a list of model ids`,
        hint: "Make `knownModels` an array of strings, or leave it out.",
      },
    };
  }
  return { plugin: candidate as ProviderPlugin };
}

/**
 * Checks what a plugin's create() returned: a model of this contract version that embeds or retrieves.
 * Undefined when it is usable.
 */
export function checkProviderInstance(
  instance: unknown,
  pluginName: string,
  modelId: string,
): PluginProblem | undefined {
  const model = (typeof instance === "object" && instance !== null ? instance : {}) as Partial<
    Record<keyof EmbeddingProvider | keyof Retriever, unknown>
  >;
  const what = `model \`${modelId}\` created by plugin \`${pluginName}\``;
  const versionProblem = specificationVersionProblem(model.specificationVersion, what, pluginName);
  if (versionProblem) return versionProblem;
  if (typeof model.embed !== "function" && typeof model.retrieve !== "function") {
    return {
      message: `${what} has neither embed() nor retrieve()`,
      hint: "create() returns an EmbeddingProvider (embed) or a Retriever (retrieve); see @embedeval/provider-contract.",
    };
  }
  return undefined;
}

/** A package name, as opposed to a path to a local plugin file or folder. */
function isPackageName(name: string): boolean {
  return !name.startsWith(".") && !name.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(name);
}

/** `v1` -> 1; undefined for anything else. */
function versionNumber(version: unknown): number | undefined {
  const match = typeof version === "string" ? /^v(\d+)$/.exec(version) : null;
  return match ? Number(match[1]) : undefined;
}

function specificationVersionProblem(
  declared: unknown,
  what: string,
  pluginName: string,
): PluginProblem | undefined {
  if (declared === providerSpecificationVersion) return undefined;
  const ours = versionNumber(providerSpecificationVersion) as number;
  const theirs = versionNumber(declared);
  if (theirs === undefined) {
    return {
      message: `${what} declares ${declared === undefined ? "no specificationVersion" : `specificationVersion ${JSON.stringify(declared)}`}; this embedeval implements provider contract ${providerSpecificationVersion}`,
      hint: `Set \`specificationVersion: "${providerSpecificationVersion}"\` (providerSpecificationVersion from @embedeval/provider-contract) on the plugin object and on every model create() returns.`,
    };
  }
  const message = `${what} implements provider contract ${declared}, but this embedeval implements ${providerSpecificationVersion}`;
  return theirs > ours
    ? {
        message,
        hint: `Upgrade embedeval (@embedeval/cli, or the GitHub Action's version) to a release that implements provider contract ${declared}, or install a release of ${pluginName} built for ${providerSpecificationVersion}.`,
      }
    : {
        message,
        hint: `Upgrade ${pluginName} to a release built for provider contract ${providerSpecificationVersion}${isPackageName(pluginName) ? ` (npm install ${pluginName}@latest)` : ""}, or use an embedeval release that implements ${declared}.`,
      };
}
