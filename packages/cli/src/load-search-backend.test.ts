import { describe, expect, it } from "vitest";
import { loadSearchBackend } from "./load-search-backend.js";

describe("loadSearchBackend", () => {
  it("uses onnxruntime when @embedeval/search-onnx loads, and says so in one line", async () => {
    const lines: string[] = [];
    const backend = await loadSearchBackend({}, (line) => lines.push(line));
    try {
      expect(backend?.name).toMatch(/^onnxruntime-node /);
      expect(lines).toEqual([`search: ${backend?.name} through @embedeval/search-onnx`]);
    } finally {
      await backend?.close?.();
    }
  });

  it("falls back to the portable search when the optional package is not installed", async () => {
    const lines: string[] = [];
    // A real failed resolution, as on an install where the optional dependency was dropped.
    const notInstalled = "@embedeval/search-onnx-not-installed";
    const backend = await loadSearchBackend(
      {},
      (line) => lines.push(line),
      () => import(notInstalled),
    );
    expect(backend).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^search: portable WebAssembly, same rankings, slower \(@embedeval\/search-onnx did not load: /,
    );
  });

  it("names the missing optional package with how to add it", async () => {
    const lines: string[] = [];
    const missing = Object.assign(
      new Error("Cannot find package '@embedeval/search-onnx' imported from /x.js"),
      {
        code: "ERR_MODULE_NOT_FOUND",
      },
    );
    const backend = await loadSearchBackend(
      {},
      (line) => lines.push(line),
      () => Promise.reject(missing),
    );
    expect(backend).toBeUndefined();
    expect(lines).toEqual([
      "search: portable WebAssembly, same rankings, slower (the optional @embedeval/search-onnx is not installed; `npm install @embedeval/search-onnx` adds it)",
    ]);
  });

  it("takes the portable search without loading anything when EMBEDEVAL_SEARCH=portable", async () => {
    const lines: string[] = [];
    let loaded = false;
    const backend = await loadSearchBackend(
      { EMBEDEVAL_SEARCH: "portable" },
      (line) => lines.push(line),
      async () => {
        loaded = true;
        throw new Error("must not load");
      },
    );
    expect(backend).toBeUndefined();
    expect(loaded).toBe(false);
    expect(lines).toEqual(["search: portable WebAssembly (EMBEDEVAL_SEARCH=portable)"]);
  });
});
