import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@embedeval/source"] },
  ssr: { resolve: { conditions: ["@embedeval/source"] } },
  test: { include: ["*.test.ts"] },
});
