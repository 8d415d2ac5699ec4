/**
 * The provider names a config can use without installing anything: the one list that config validation,
 * the JSON Schema and the CLI's plugin loader read.
 */

/** Providers implemented inside core. */
export const coreProviderNames = ["tfidf", "bm25", "precomputed"] as const;

/**
 * First-party plugins: separate packages (they bring cloud SDKs) that the CLI installs and loads by these
 * names. The CLI maps each name to its package; the type makes it list every one.
 */
export const firstPartyPluginNames = ["bedrock", "sagemaker", "openai", "local"] as const;
export type FirstPartyPluginName = (typeof firstPartyPluginNames)[number];

/** Every name `provider:` accepts besides an npm package name or a path. */
export const builtinProviderNames: readonly string[] = [...coreProviderNames, ...firstPartyPluginNames];

/**
 * A `provider:` that is a path to a local plugin (`./plugins/mock.mjs`, `../my-plugin`, or absolute),
 * resolved against the config's folder, rather than a built-in or an npm package name.
 */
export function isPluginPath(provider: string): boolean {
  return /^\.{1,2}[\\/]/.test(provider) || provider.startsWith("/") || /^[A-Za-z]:[\\/]/.test(provider);
}
