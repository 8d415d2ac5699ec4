import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@embedeval/source"] },
  ssr: { resolve: { conditions: ["@embedeval/source"] } },
  // Each test starts the bundled action as a process (several, for the record-then-PR scenario) on a
  // 2-core machine shared with other suites: generous timeouts, not wall-clock assertions.
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 120_000 },
});
