import { describe, expect, it } from "vitest";
import {
  checkProviderInstance,
  checkProviderPlugin,
  checkProviderPluginModule,
} from "./check-provider-plugin.js";
import { providerSpecificationVersion } from "./embedding-provider.js";

const plugin = { specificationVersion: providerSpecificationVersion, name: "acme", create: () => ({}) };

describe("checkProviderPluginModule", () => {
  it("finds the plugin as the default export, as `plugin`, or as a CommonJS default's default", () => {
    for (const module of [{ default: plugin }, { plugin }, { default: { default: plugin } }]) {
      expect(checkProviderPluginModule(module, "@acme/x").plugin).toBe(plugin);
    }
  });

  it("lists a module's exports when none is a plugin", () => {
    const { problem } = checkProviderPluginModule({ helper: 1, other: "x" }, "@acme/x");
    expect(problem?.message).toBe(
      "`@acme/x` does not export an embedeval provider plugin (its exports: helper, other)",
    );
  });

  it("judges a plugin for another contract version by its version, not as 'not a plugin'", () => {
    const newer = checkProviderPluginModule(
      { default: { ...plugin, specificationVersion: "v9" } },
      "@acme/x",
    );
    expect(newer.problem?.message).toBe(
      `plugin \`@acme/x\` implements provider contract v9, but this embedeval implements ${providerSpecificationVersion}`,
    );
    expect(newer.problem?.hint).toMatch(/^Upgrade embedeval/);
    const older = checkProviderPlugin({ ...plugin, specificationVersion: "v0" }, "@acme/x");
    expect(older.problem?.hint).toMatch(/^Upgrade @acme\/x .*npm install @acme\/x@latest/);
    // A local file gets no npm command.
    expect(
      checkProviderPlugin({ ...plugin, specificationVersion: "v0" }, "./p.mjs").problem?.hint,
    ).not.toContain("npm");
    expect(checkProviderPlugin({ ...plugin, specificationVersion: 1 }, "@acme/x").problem?.message).toContain(
      "declares specificationVersion 1",
    );
  });

  it("requires a name and create(), and knownModels as strings", () => {
    expect(checkProviderPlugin({ ...plugin, name: "" }, "p").problem?.message).toBe("plugin `p` has no name");
    expect(checkProviderPlugin({ ...plugin, create: 1 }, "p").problem?.message).toContain(
      "has no create(settings)",
    );
    expect(checkProviderPlugin({ ...plugin, knownModels: [1] }, "p").problem?.message).toContain(
      "knownModels",
    );
  });
});

describe("checkProviderInstance", () => {
  const model = { specificationVersion: providerSpecificationVersion, embed: async () => ({}) };

  it("accepts an embedding model or a retriever of this contract version", () => {
    expect(checkProviderInstance(model, "p", "m")).toBeUndefined();
    expect(
      checkProviderInstance({ ...model, embed: undefined, retrieve: async () => new Map() }, "p", "m"),
    ).toBeUndefined();
  });

  it("refuses another contract version, naming model, plugin and both versions", () => {
    expect(
      checkProviderInstance({ ...model, specificationVersion: "v2" }, "@acme/x", "acme-1")?.message,
    ).toBe(
      `model \`acme-1\` created by plugin \`@acme/x\` implements provider contract v2, but this embedeval implements ${providerSpecificationVersion}`,
    );
    expect(
      checkProviderInstance({ specificationVersion: providerSpecificationVersion }, "p", "m")?.message,
    ).toContain("has neither embed() nor retrieve()");
  });
});
