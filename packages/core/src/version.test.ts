import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "./config/config-schema.js";
import { version } from "./version.js";

describe("published metadata", () => {
  it("records the package version in result files", async () => {
    const manifest = JSON.parse(await readFile(resolve(import.meta.dirname, "../package.json"), "utf8"));
    expect(version).toBe(manifest.version);
  });

  it("ships a JSON Schema file equal to the one the loader validates with", async () => {
    // Regenerate with: pnpm embedeval schema > packages/core/embedeval.schema.json
    const file = JSON.parse(await readFile(resolve(import.meta.dirname, "../embedeval.schema.json"), "utf8"));
    expect(file).toEqual(configJsonSchema());
  });
});
