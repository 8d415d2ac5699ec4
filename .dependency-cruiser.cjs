/**
 * Import rules, checked by `pnpm lint` (depcruise): no cycles anywhere, core's folders import only down
 * the data flow, and plugins reach the engine only through the plugin contract.
 *
 * Core's folders, lowest first. A folder may import from the folders before it, never from those after
 * it; `testing/` (test support) and test files may import anything in the package.
 */
const coreLayers = [
  "statistics",
  "trec",
  "metrics",
  "search",
  "runtime",
  "datasets",
  "builtin-providers",
  "results",
  "tasks",
  "compare",
  "report",
  "config",
];
const testFile = "(\\.test\\.ts$|/testing/|/test/|/bench/|-child\\.ts$)";

const layerRules = coreLayers.map((layer, rank) => ({
  name: `core-${layer}-imports-down-only`,
  comment: `core/src/${layer} may import only from ${coreLayers.slice(0, rank).join(", ") || "no other folder"}`,
  severity: "error",
  from: { path: `^packages/core/src/${layer}/`, pathNot: testFile },
  to: { path: `^packages/core/src/(${coreLayers.slice(rank + 1).join("|") || "$^"}|testing)/` },
}));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "Import cycles make modules impossible to read or test alone.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: "contract-stands-alone",
      comment:
        "@embedeval/provider-contract is what third-party plugins depend on: no engine, no SDK, no YAML.",
      severity: "error",
      from: { path: "^packages/provider-contract/src/", pathNot: testFile },
      to: { dependencyTypesNot: ["core", "local", "type-only"] },
    },
    {
      name: "plugins-use-the-contract-not-the-engine",
      comment:
        "A plugin translates between the contract and one wire format; the engine is only for its tests.",
      severity: "error",
      from: { path: "^(packages/provider-[^/]+|examples/custom-plugin)/src/", pathNot: testFile },
      to: { path: "^packages/(core|cli)/" },
    },
    {
      name: "core-knows-no-cli-or-plugin",
      severity: "error",
      from: { path: "^packages/core/src/" },
      to: { path: "^(packages/(cli|provider-(?!contract)[^/]+|search-onnx)|actions)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    preserveSymlinks: false,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["@embedeval/source", "import", "types", "default"],
      extensions: [".ts", ".js", ".mjs", ".json"],
      mainFields: ["module", "main", "types"],
    },
  },
};
