import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { assembleSimilarityKernels, renderGeneratedKernels } from "./assemble-similarity-kernels.js";
import {
  similarityKernelsSharedMemory,
  similarityKernelsUnsharedMemory,
} from "./similarity-kernels.generated.js";

/** The part of the WebAssembly JavaScript API these checks use (not in the project's TypeScript libraries). */
interface WebAssemblyModuleApi {
  Module: {
    new (bytes: Uint8Array): object;
    exports(module: object): { name: string; kind: string }[];
    imports(module: object): { module: string; name: string; kind: string }[];
  };
}
const { Module } = (globalThis as unknown as { WebAssembly: WebAssemblyModuleApi }).WebAssembly;

describe("similarity kernels", () => {
  it("assembles from the .wat sources to exactly the committed bytes", async () => {
    const assembled = await assembleSimilarityKernels();
    expect(assembled.shared).toEqual(similarityKernelsSharedMemory);
    expect(assembled.unshared).toEqual(similarityKernelsUnsharedMemory);
    // The committed file is what the generator writes, header included: nothing was edited by hand.
    const committed = await readFile(new URL("similarity-kernels.generated.ts", import.meta.url), "utf8");
    expect(committed).toBe(renderGeneratedKernels(assembled));
  });

  it("exports the four kernels and imports only the memory, in both variants", () => {
    for (const bytes of [similarityKernelsSharedMemory, similarityKernelsUnsharedMemory]) {
      const module = new Module(bytes);
      expect(Module.exports(module)).toEqual([
        { name: "scoreRows", kind: "function" },
        { name: "scoreList", kind: "function" },
        { name: "gather", kind: "function" },
        { name: "normalise", kind: "function" },
      ]);
      expect(Module.imports(module)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
    }
  });
});
