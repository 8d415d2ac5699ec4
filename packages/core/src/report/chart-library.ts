import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { EmbedEvalError } from "@embedeval/provider-contract";

/**
 * Set by a bundler that inlines Chart.js at build time: actions/evaluate/build.mjs defines it as the text
 * of chart.js/dist/chart.umd.js, because the bundled action runs with no node_modules beside it.
 */
declare const __EMBEDEVAL_CHART_JS_UMD__: string | undefined;

let loaded: string | undefined;

/**
 * The text of Chart.js's UMD build (chart.js/dist/chart.umd.js, MIT; a dependency of @embedeval/core),
 * inlined into the HTML report so it opens with no network. Chart.js's package `exports` do not list the
 * file, so it is found beside the package's main entry, resolved from this module: that works from this
 * repository's workspace and from a package installed with plain npm alike. Its source-map comment is
 * dropped (the map is not inlined, and a browser must not look for it).
 */
export function chartLibrarySource(): string {
  if (loaded !== undefined) return loaded;
  let text: string;
  if (typeof __EMBEDEVAL_CHART_JS_UMD__ === "string") {
    text = __EMBEDEVAL_CHART_JS_UMD__;
  } else {
    let path = "chart.js/dist/chart.umd.js";
    try {
      path = join(dirname(createRequire(import.meta.url).resolve("chart.js")), "chart.umd.js");
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new EmbedEvalError("internal", `cannot read Chart.js for the HTML report (${path})`, {
        hint: "chart.js is a dependency of @embedeval/core: reinstall it (npm install @embedeval/core) so node_modules/chart.js/dist/chart.umd.js is there.",
        cause: error,
      });
    }
  }
  loaded = text.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, "\n");
  return loaded;
}
