// Bundles the action into one committed file, dist/index.js, that runs on the runner's Node with no install.
// Deterministic: same sources, same bytes (.ci/check-dist rebuilds and diffs). Runs from any folder.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * @embedeval/search-onnx needs onnxruntime-node, a native module that cannot be bundled (and a runner has no
 * node_modules next to dist/). The CLI loads it with a dynamic import and falls back to the portable search
 * (same rankings, slower) when that import fails, so the action bundles a stub that fails on import.
 * @embedeval/provider-local (onnxruntime-node too) is stubbed the same way: `provider: local` fails in the
 * action with the stub's message, every other provider runs.
 */
const withoutNativeSearch = {
  name: "without-native-search",
  setup(builder) {
    builder.onResolve({ filter: /^@embedeval\/(search-onnx|provider-local)$/ }, (arguments_) => ({
      path: arguments_.path,
      namespace: "stub",
    }));
    builder.onLoad({ filter: /.*/, namespace: "stub" }, (arguments_) => ({
      contents: `throw new Error("${arguments_.path} (onnxruntime-node, a native module) is not bundled into the action");`,
      loader: "js",
    }));
  },
};

/**
 * The HTML report inlines Chart.js's UMD build, which @embedeval/core reads from node_modules at report
 * time (packages/core/src/report/chart-library.ts); a runner has no node_modules beside dist/, so the text
 * is embedded here, resolved the way core resolves it (the package's `exports` do not list the file).
 */
const chartJsUmd = readFileSync(
  join(
    dirname(
      createRequire(fileURLToPath(new URL("../../packages/core/package.json", import.meta.url))).resolve(
        "chart.js",
      ),
    ),
    "chart.umd.js",
  ),
  "utf8",
);

await build({
  absWorkingDir: dirname(fileURLToPath(import.meta.url)),
  entryPoints: ["src/index.ts"],
  outfile: "dist/index.js",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  conditions: ["@embedeval/source"],
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  define: { __EMBEDEVAL_CHART_JS_UMD__: JSON.stringify(chartJsUmd) },
  plugins: [withoutNativeSearch],
  legalComments: "none",
  logLevel: "warning",
});
