import { defineConfig } from "tsdown";

export default defineConfig({
  // Two entries: the server plumbing and fakes (no vitest, so benchmarks and plugins' published
  // `./testing` entries can use them) and the conformance suite (needs vitest, the plugin's own).
  entry: { index: "src/index.ts", "conformance/index": "src/conformance/index.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  dts: true,
  clean: true,
  fixedExtension: false,
});
