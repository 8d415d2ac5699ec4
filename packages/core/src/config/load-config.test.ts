import { ConfigError } from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";
import { parseConfig } from "./load-config.js";

function errorOf(text: string): ConfigError {
  try {
    parseConfig(text, "/repo/embedeval.yml");
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const valid = `
models:
  - id: bm25
    provider: bm25
  - id: titan-512
    provider: bedrock
    model: amazon.titan-embed-text-v2:0
    options: { dimensions: 512 }
    runtime: { maxConcurrency: 8 }
tasks:
  - name: quickstart
    path: ./data
compare:
  maxDrop: "2%"
`;

describe("parseConfig", () => {
  it("applies defaults and resolves paths against the config's folder", () => {
    const config = parseConfig(valid, "/repo/embedeval.yml");
    expect(config.models).toHaveLength(2);
    expect(config.models[0]).toMatchObject({ id: "bm25", model: "bm25", similarity: "cosine", line: 3 });
    expect(config.models[1]?.runtime).toEqual({
      maxConcurrency: 8,
      timeoutSeconds: 60,
      retryBudgetSeconds: 90,
      retryAfterCapSeconds: 60,
      cancelGraceSeconds: 15,
    });
    expect(config.tasks[0]).toMatchObject({
      path: "/repo/data",
      splits: ["test"],
      ignoreIdenticalIds: false,
    });
    expect(config.compare.maxDrop).toEqual({ kind: "relative", amount: 0.02 });
    expect(config.compare.metric).toBe("ndcg_at_10");
    expect(config.cache.directory).toBe("/repo/.embedeval/cache");
    expect(config.output.directory).toBe("/repo/embedeval-results");
  });

  it("suggests the closest provider with file and line", () => {
    const error = errorOf("models:\n  - id: a\n    provider: bedroc\ntasks:\n  - name: t\n    path: x\n");
    expect(error.message).toBe("unknown provider `bedroc`; did you mean `bedrock`?");
    expect(error.line).toBe(3);
    expect(error.key).toBe("models[0].provider");
    expect(error.file).toContain("embedeval.yml");
  });

  it("reports unknown keys with a suggestion, and every issue at once", () => {
    const error = errorOf(
      "models:\n  - id: a\n    provider: bm25\n    simlarity: dot\ntasks:\n  - name: t\n    path: x\n    splits: test\n",
    );
    expect(error.message).toContain("unknown key `simlarity` in `models[0]`; did you mean `similarity`?");
    expect(error.line).toBe(4);
    expect(error.message).toContain("embedeval.yml:8: `tasks[0].splits` must be a list; got `test`");
  });

  it("names a missing required key and a wrong enum value", () => {
    const error = errorOf("models:\n  - id: a\n    provider: bm25\n    similarity: cosin\ntasks: []\n");
    expect(error.message).toContain("`models[0].similarity` is `cosin`; expected one of: cosine, dot");
    expect(error.message).toContain("did you mean `cosine`?");
    expect(error.message).toContain("`tasks` needs at least 1 item(s)");
  });

  it("rejects duplicate model ids and bad numbers", () => {
    const error = errorOf(
      "models:\n  - id: a\n    provider: bm25\n  - id: a\n    provider: tfidf\n    runtime: { maxConcurrency: 0 }\ntasks:\n  - name: t\n    path: x\n",
    );
    expect(error.message).toContain("model id `a` is used twice");
    expect(error.message).toContain("`models[1].runtime.maxConcurrency` must be at least 1; got 0");
  });

  it("points at YAML syntax errors", () => {
    const error = errorOf("models:\n  - id: a\n   provider: [\n");
    expect(error.message).toMatch(/^invalid YAML/);
    expect(error.line).toBeGreaterThanOrEqual(2);
  });

  it("refuses a compare metric the results do not hold, so a typo cannot switch the gate off", () => {
    const error = errorOf(
      "models:\n  - id: a\n    provider: bm25\ntasks:\n  - name: t\n    path: x\ncompare:\n  metric: ndcg@10\n  overrides:\n    - task: t\n      metric: recal_at_100\n",
    );
    expect(error.message).toContain("unknown metric `ndcg@10`; did you mean `ndcg_at_10`?");
    expect(error.line).toBe(8);
    expect(error.message).toContain(
      "embedeval.yml:11: unknown metric `recal_at_100`; did you mean `recall_at_100`?",
    );
  });

  it("gives an MTEB dataset named by its hub id MTEB's flags, unless the config sets them", () => {
    const config = parseConfig(
      "models:\n  - id: a\n    provider: bm25\ntasks:\n  - name: args\n    hub: mteb/arguana\n  - name: own\n    hub: mteb/arguana\n    ignoreIdenticalIds: false\n  - name: other\n    hub: acme/tickets\n",
      "/repo/embedeval.yml",
    );
    expect(config.tasks.map((task) => task.ignoreIdenticalIds)).toEqual([true, false, false]);
  });

  it("accepts a third-party plugin package name", () => {
    const config = parseConfig(
      "models:\n  - id: a\n    provider: '@acme/embedeval-provider-x'\ntasks:\n  - name: t\n    path: x\n",
      "/repo/embedeval.yml",
    );
    expect(config.models[0]?.provider).toBe("@acme/embedeval-provider-x");
  });

  it("gives a model whose id is a hub name that name for its MTEB results folder, unless it is shared", () => {
    const config = parseConfig(
      [
        "models:",
        "  - { id: bge, provider: sagemaker, model: BAAI/bge-base-en-v1.5 }",
        "  - { id: titan, provider: bedrock, model: amazon.titan-embed-text-v2:0 }",
        "  - { id: e5-256, provider: '@acme/x', model: intfloat/e5-large-v2, options: { dimensions: 256 } }",
        "  - { id: e5-1024, provider: '@acme/x', model: intfloat/e5-large-v2 }",
        "  - { id: e5-pinned, provider: '@acme/x', model: intfloat/e5-large-v2, revision: abc123 }",
        "tasks:",
        "  - name: t",
        "    path: x",
        "",
      ].join("\n"),
      "/repo/embedeval.yml",
    );
    expect(config.models.map((model) => [model.id, model.hubName])).toEqual([
      ["bge", "BAAI/bge-base-en-v1.5"],
      ["titan", undefined],
      ["e5-256", undefined],
      ["e5-1024", undefined],
      ["e5-pinned", "intfloat/e5-large-v2"],
    ]);
  });

  it("accepts a local plugin by path, even one whose file name is close to a built-in", () => {
    const config = parseConfig(
      "models:\n  - id: a\n    provider: ./plugins/mock.mjs\n  - id: b\n    provider: ./bm52\ntasks:\n  - name: t\n    path: x\n",
      "/repo/embedeval.yml",
    );
    expect(config.models.map((model) => model.provider)).toEqual(["./plugins/mock.mjs", "./bm52"]);
  });
});

describe("parseConfig: where a task's data comes from", () => {
  const models = "models:\n  - id: a\n    provider: bm25\n";

  it("takes an MTEB task name alone: hub dataset, pinned revision, split and flag from the registry", () => {
    const config = parseConfig(
      `${models}tasks:\n  - name: SciFact\n  - name: ArguAna\n`,
      "/repo/embedeval.yml",
    );
    expect(config.tasks[0]).toEqual({
      name: "SciFact",
      type: "retrieval",
      hub: "mteb/scifact",
      revision: "d56462d0e63a25450459c4f213e49ffdb866f7f9",
      splits: ["test"],
      ignoreIdenticalIds: false,
      line: 5,
    });
    expect(config.tasks[1]).toMatchObject({ hub: "mteb/arguana", ignoreIdenticalIds: true });
    expect(config.tasks[0]?.path).toBeUndefined();
  });

  it("lets the config override an MTEB task's revision, splits and flag", () => {
    const config = parseConfig(
      `${models}tasks:\n  - name: MSMARCO\n    revision: main\n    splits: [test]\n    ignoreIdenticalIds: false\n`,
      "/repo/embedeval.yml",
    );
    expect(config.tasks[0]).toMatchObject({
      hub: "mteb/msmarco",
      revision: "main",
      splits: ["test"],
      ignoreIdenticalIds: false,
    });
  });

  it("takes any hub dataset, revision main by default", () => {
    const config = parseConfig(
      `${models}tasks:\n  - name: my-hub-set\n    hub: my-org/my-beir-dataset\n  - name: pinned\n    hub: my-org/other\n    revision: v2\n`,
      "/repo/embedeval.yml",
    );
    expect(config.tasks[0]).toMatchObject({
      name: "my-hub-set",
      hub: "my-org/my-beir-dataset",
      revision: "main",
    });
    expect(config.tasks[1]).toMatchObject({ hub: "my-org/other", revision: "v2", ignoreIdenticalIds: false });
  });

  it("suggests the closest MTEB name for an unknown task without path or hub, with its line", () => {
    const error = errorOf(`${models}tasks:\n  - name: t\n    path: x\n  - name: Scifact\n`);
    expect(error.message).toBe(
      "task `Scifact` has no `path` or `hub` and is not an MTEB task name; did you mean `SciFact`?",
    );
    expect(error.line).toBe(7);
    expect(error.key).toBe("tasks[1].name");
  });

  it("expands `benchmark:` into the benchmark's retrieval tasks, each with the registry's dataset", () => {
    const config = parseConfig(
      `${models}tasks:\n  - name: local\n    path: ./data\n  - benchmark: NanoBEIR\n`,
      "/repo/embedeval.yml",
    );
    expect(config.tasks).toHaveLength(14);
    expect(config.tasks[1]).toEqual({
      name: "NanoArguAnaRetrieval",
      type: "retrieval",
      hub: "zeta-alpha-ai/NanoArguAna",
      revision: "8f4a982d470a32c45817738b9d29042ca55d75ad",
      splits: ["train"],
      ignoreIdenticalIds: false,
      line: 7,
    });
    // 10 retrieval tasks and the 31 tasks of other types, all loading by name.
    const v2 = parseConfig(`${models}tasks:\n  - benchmark: MTEB(eng)\n`, "/repo/embedeval.yml").tasks;
    expect(v2).toHaveLength(41);
    expect(v2.filter((task) => task.type === "retrieval")).toHaveLength(10);
    expect(v2.find((task) => task.name === "STS12")).toMatchObject({ type: "sts", hub: "mteb/sts12-sts" });
  });

  it("refuses an unknown benchmark, a benchmark with other keys, and a task listed twice through one", () => {
    expect(errorOf(`${models}tasks:\n  - benchmark: BEIR\n`).key).toBe("tasks[0].benchmark");
    const extra = errorOf(`${models}tasks:\n  - benchmark: NanoBEIR\n    splits: [test]\n`);
    expect(extra.message).toContain("`benchmark` takes no other key (found `splits`)");
    const twice = errorOf(`${models}tasks:\n  - name: ArguAna\n  - benchmark: MTEB(eng, v2)\n`);
    expect(twice.message).toContain(
      "task name `ArguAna` is used twice (a benchmark counts each of its tasks)",
    );
    expect(twice.line).toBe(6);
    expect(errorOf(`${models}tasks:\n  - splits: [test]\n`).message).toContain("a task needs `name`");
  });

  it("lists the known names and both fixes when nothing is close", () => {
    const error = errorOf(`${models}tasks:\n  - name: support-tickets\n`);
    expect(error.message).toContain(
      "`embedeval tasks` lists the 43: ArguAna, ClimateFEVER, CQADupstackAndroidRetrieval, ...",
    );
    expect(error.message).toContain("add `path:` for a local BEIR folder or `hub:` for a hub dataset");
    expect(error.line).toBe(5);
  });

  it("rejects path with hub, revision with path, and a malformed hub id", () => {
    const both = errorOf(`${models}tasks:\n  - name: t\n    path: x\n    hub: a/b\n`);
    expect(both.message).toContain("`path` (a local BEIR folder) or `hub` (a hub dataset), not both");
    expect(both.line).toBe(7);
    const revision = errorOf(`${models}tasks:\n  - name: t\n    path: x\n    revision: main\n`);
    expect(revision.message).toContain("`revision` applies to hub datasets");
    const malformed = errorOf(`${models}tasks:\n  - name: t\n    hub: https://huggingface.co/datasets/a/b\n`);
    expect(malformed.key).toBe("tasks[0].hub");
    expect(malformed.line).toBe(6);
  });
});

describe("closestMatch", () => {
  it("counts a transposition as one slip and ignores distant words", async () => {
    const { closestMatch } = await import("@embedeval/provider-contract");
    expect(closestMatch("bm52", ["tfidf", "bm25", "bedrock"])).toBe("bm25");
    expect(closestMatch("sagemkaer", ["bedrock", "sagemaker"])).toBe("sagemaker");
    expect(closestMatch("openai", ["tfidf", "bm25", "bedrock"])).toBeUndefined();
  });

  it("accepts anchors, aliases and merge keys as users write them", () => {
    const config = parseConfig(
      `
models:
  - id: titan-256
    provider: bedrock
    options: &shared { dimensions: 256, region: us-east-1 }
    runtime: &runtime { maxConcurrency: 2, retryBudgetSeconds: 30 }
  - id: titan-copy
    provider: bedrock
    options: *shared
    runtime: *runtime
tasks:
  - name: quickstart
    path: ./data
`,
      "/repo/embedeval.yml",
    );
    expect(config.models[1]?.options).toEqual({ dimensions: 256, region: "us-east-1" });
    expect(config.models[1]?.runtime).toMatchObject({ maxConcurrency: 2, retryBudgetSeconds: 30 });

    const merged = parseConfig(
      `
models:
  - &titan
    id: titan-256
    provider: bedrock
    options: { dimensions: 256 }
  - <<: *titan
    id: titan-1024
    options: { dimensions: 1024 }
tasks:
  - name: quickstart
    path: ./data
`,
      "/repo/embedeval.yml",
    );
    expect(merged.models[1]).toMatchObject({
      id: "titan-1024",
      provider: "bedrock",
      options: { dimensions: 1024 },
    });
    // A mistake inside what an alias names is still found, at the alias.
    const wrong = errorOf(`
models:
  - id: a
    provider: bm25
    runtime: &runtime { maxConcurency: 2 }
  - id: b
    provider: bm25
    runtime: *runtime
tasks:
  - name: quickstart
    path: ./data
`);
    expect(wrong.message).toMatch(
      /unknown key `maxConcurency` in `models\[0\]\.runtime`; did you mean `maxConcurrency`\?/,
    );
  });

  it("refuses an alias bomb as a config error before expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let level = 1; level < 9; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(", ")}]`);
    }
    const error = errorOf(`${levels.join("\n")}\nmodels: []\ntasks: []\n`);
    expect(error.code).toBe("config");
    expect(error.message).toMatch(/^YAML aliases expand past 1000 nodes/);
  });

  it("describes a pattern failure by what was expected, not as a wrong type", () => {
    const error = errorOf(`
models:
  - id: "bad/id"
    provider: bm25
tasks:
  - name: "a<b"
    path: ./data
`);
    expect(error.message).toContain(
      "`models[0].id` is `bad/id`, which is not a name of letters, digits, `.`, `_` and `-`",
    );
    expect(error.message).toContain(
      "`tasks[0].name` is `a<b`, which is not a name of letters, digits, spaces, `.`, `_` and `-`",
    );
    expect(error.message).not.toContain("not a string");
  });
});
