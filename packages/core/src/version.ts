import manifest from "../package.json" with { type: "json" };

/**
 * The embedeval version recorded in result files and printed by `embedeval --version`: the `version` of
 * @embedeval/core's package.json, the field `changeset version` bumps (core and the CLI are released with
 * one version, see docs/releasing.md). The bundlers inline it at build time (tsdown for dist/, esbuild for
 * the action's single file), so nothing reads package.json at run time and no copy can fall behind.
 */
export const version: string = manifest.version;
