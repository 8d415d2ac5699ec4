import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@embedeval/source"] },
  ssr: { resolve: { conditions: ["@embedeval/source"] } },
  // Tests that start local servers and run whole pipelines need more than the 5 s default on 2 cores.
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 30_000 },
});
