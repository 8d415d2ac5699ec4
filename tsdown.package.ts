import { readFileSync } from "node:fs";
import path from "node:path";
import { defineConfig, type UserConfig } from "tsdown";

/**
 * The one build config every package uses: its entries are read from the package's own `exports` map
 * (each subpath's `@embedeval/source` file builds to that subpath's `default` file), so adding an entry
 * point is one edit to package.json and the two can never disagree.
 */
export function packageBuildConfig(packageDirectory: string): UserConfig {
  const manifest = JSON.parse(readFileSync(path.join(packageDirectory, "package.json"), "utf8")) as {
    exports: Record<string, string | Record<string, string>>;
    bin?: Record<string, string>;
  };
  const entry: Record<string, string> = {};
  for (const target of Object.values(manifest.exports)) {
    if (typeof target !== "object") continue;
    const source = target["@embedeval/source"];
    const built = target.default;
    if (!source || !built) continue;
    entry[built.replace(/^\.\/dist\//, "").replace(/\.js$/, "")] = source;
  }
  // A command (`bin`) builds from the source file of the same name: ./dist/main.js from ./src/main.ts.
  for (const built of Object.values(manifest.bin ?? {})) {
    const name = built.replace(/^\.\/dist\//, "").replace(/\.js$/, "");
    entry[name] = `./src/${name}.ts`;
  }
  return defineConfig({
    entry,
    format: "esm",
    platform: "node",
    target: "node20",
    dts: true,
    clean: true,
    fixedExtension: false,
  });
}
