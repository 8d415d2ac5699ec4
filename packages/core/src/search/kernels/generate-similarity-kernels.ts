/**
 * Writes similarity-kernels.generated.ts from the .wat sources beside it:
 * `pnpm --filter @embedeval/core generate:kernels`.
 */
import { writeFile } from "node:fs/promises";
import { assembleSimilarityKernels, renderGeneratedKernels } from "./assemble-similarity-kernels.js";

const target = new URL("similarity-kernels.generated.ts", import.meta.url);
await writeFile(target, renderGeneratedKernels(await assembleSimilarityKernels()));
console.log(`wrote ${target.pathname}`);
