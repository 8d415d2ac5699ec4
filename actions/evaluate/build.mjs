// Bundles the action into one committed file, dist/index.js, that runs on the runner's Node with no install.
// Deterministic: same sources, same bytes (.ci/check-dist rebuilds and diffs). Runs from any folder.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

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
  legalComments: "none",
  logLevel: "warning",
});
