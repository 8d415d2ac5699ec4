import { defineConfig } from "tsdown";

export default defineConfig({
  // The testing entry lets other packages run against the local SageMaker server.
  entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  dts: true,
  clean: true,
  fixedExtension: false,
});
