// The `new-plugin` scaffolder's templates for the package files: TypeScript, build, test and changeset configuration; pluginTemplateFiles (plugin-template.ts)
// fills their placeholders.

export const tsconfigTemplate = `
{
  "compilerOptions": {
    "target": "ES2023",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": ["node"],
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "isolatedModules": true,
    "verbatimModuleSyntax": true,
    "declaration": true,
    "noEmit": true,
    "skipLibCheck": true
  },
  "include": ["src", "test", "*.config.ts"]
}
`;

export const tsdownConfigTemplate = `
import { defineConfig } from "tsdown";

// ESM JavaScript and type declarations in dist/, the files package.json "exports" name.
export default defineConfig({
  entry: { index: "./src/index.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  dts: true,
  clean: true,
  fixedExtension: false,
});
`;

export const vitestConfigTemplate = `
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["test/**/*.test.ts"], testTimeout: 30_000 },
});
`;

export const changesetConfigTemplate = `
{
  "$schema": "https://unpkg.com/@changesets/config@3.1.1/schema.json",
  "changelog": "@changesets/cli/changelog",
  "commit": false,
  "access": "public",
  "baseBranch": "main",
  "updateInternalDependencies": "patch",
  "ignore": []
}
`;

export const firstChangesetTemplate = `
---
"__package__": minor
---

First release: an embedeval provider plugin for the __provider__ embeddings API (provider contract __specificationVersion__).
`;
