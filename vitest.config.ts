import { defineConfig } from "vitest/config";

// One vitest process runs every workspace package as a project, so `pnpm test` prints one total.
// The "@embedeval/source" condition resolves workspace packages to their TypeScript sources,
// so tests never depend on a stale build.
export default defineConfig({
  resolve: { conditions: ["@embedeval/source"] },
  ssr: { resolve: { conditions: ["@embedeval/source"] } },
  test: {
    projects: ["packages/*", "actions/*", "examples/*"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
