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
