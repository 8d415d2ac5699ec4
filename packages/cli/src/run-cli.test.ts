import { spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  configJsonSchema,
  loadConfig,
  mtebResultFormatVersion,
  version,
  writeTaskResult,
} from "@embedeval/core";
import { buildTaskResult, noisyScores } from "@embedeval/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../test/cli-harness.js";

const quickstart = resolve(import.meta.dirname, "../../../examples/quickstart");

describe("embedeval CLI", () => {
  let workspace: string;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-cli-"));
    await cp(join(quickstart, "data"), join(workspace, "data"), { recursive: true });
    await writeFile(
      join(workspace, "embedeval.yml"),
      [
        "models:",
        "  - id: bm25",
        "    provider: bm25",
        "  - id: tfidf",
        "    provider: tfidf",
        "    options: { dimensions: 1024 }",
        "tasks:",
        "  - name: quickstart",
        "    path: ./data",
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it("runs the quickstart end to end, writes MTEB-layout results, and caches embeddings", async () => {
    const first = await runCliCaptured(["run"], workspace);
    expect(first.stderr).not.toContain("error");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/model\s+task\s+nDCG@10/);
    expect(first.stdout).toMatch(/bm25\s+quickstart\s+\d+\.\d\d/);
    expect(first.stdout).toMatch(/cache: 0 hits, [\d,]+ misses/);

    const file = join(workspace, "embedeval-results/tfidf/no_revision_available/quickstart.json");
    const result = JSON.parse(await readFile(file, "utf8"));
    expect(result.task_name).toBe("quickstart");
    expect(result.mteb_version).toBe(`${mtebResultFormatVersion}+embedeval.${version}`);
    expect(result.embedeval).toMatchObject({ version, mteb_format_version: mtebResultFormatVersion });
    // MTEB's model_meta.json beside the task file; tfidf has no hub name, so the config id names it.
    const meta = JSON.parse(await readFile(join(file, "../model_meta.json"), "utf8"));
    expect(meta).toMatchObject({
      name: "tfidf",
      revision: "no_revision_available",
      embed_dim: 1024,
      framework: [],
    });
    const scores = result.scores.test[0];
    expect(scores.main_score).toBe(scores.ndcg_at_10);
    expect(scores.ndcg_at_10).toBeGreaterThan(0.2);
    expect(Object.keys(result.embedeval.per_query.test).length).toBe(result.embedeval.counts.scoredQueries);

    // Nothing changed: every text comes from the cache, and the scores are identical.
    const second = await runCliCaptured(["run"], workspace);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/cache: [\d,]+ hits, 0 misses/);
    const again = JSON.parse(await readFile(file, "utf8"));
    expect(again.scores).toEqual(result.scores);
    expect(again.embedeval.per_query).toEqual(result.embedeval.per_query);
    expect(again.embedeval.usage.textsEmbedded).toBe(0);
  });

  it("keeps the parsed corpus in the run's cache, reads it back, and keeps none without a cache", async () => {
    // The repository's own quickstart data: written at checkout, so settled (a corpus just copied is
    // not kept, in case a write in the same clock tick could hide behind its stamp).
    const config = (cache: string) =>
      [
        "models:",
        "  - id: tfidf",
        "    provider: tfidf",
        "tasks:",
        "  - name: quickstart",
        `    path: ${JSON.stringify(join(quickstart, "data"))}`,
        `cache: { directory: ./${cache} }`,
        "output: { directory: ./snapshot-results }",
        "",
      ].join("\n");
    await writeFile(join(workspace, "snapshot.yml"), config("snapshot-cache"));
    const first = await runCliCaptured(["run", "--config", "snapshot.yml", "--json"], workspace);
    expect(first.code).toBe(0);
    const snapshots = await readdir(join(workspace, "snapshot-cache", "datasets-v1"));
    expect(snapshots.filter((name) => /^corpus-[0-9a-f]{32}\.json$/.test(name))).toHaveLength(1);
    const second = await runCliCaptured(["run", "--config", "snapshot.yml", "--json"], workspace);
    expect(second.code).toBe(0);
    // Read back from the snapshot: the same scores and the same dataset revision.
    const essentials = (stdout: string) =>
      (JSON.parse(stdout) as { scores: unknown; dataset_revision: string }[]).map((result) => ({
        scores: result.scores,
        revision: result.dataset_revision,
      }));
    expect(essentials(second.stdout)).toEqual(essentials(first.stdout));
    expect(essentials(first.stdout)[0]?.revision).toMatch(/^[0-9a-f]{64}$/);
    await writeFile(join(workspace, "no-snapshot.yml"), config("no-snapshot-cache"));
    const uncached = await runCliCaptured(["run", "--config", "no-snapshot.yml", "--no-cache"], workspace);
    expect(uncached.code).toBe(0);
    await expect(readdir(join(workspace, "no-snapshot-cache"))).rejects.toThrow();
  });

  it("re-embeds when the model's revision changes (an endpoint updated in place), not otherwise", async () => {
    const config = (revision: string) =>
      [
        "models:",
        "  - id: tfidf",
        "    provider: tfidf",
        "    options: { dimensions: 1024 }",
        `    revision: ${revision}`,
        "tasks:",
        "  - name: quickstart",
        "    path: ./data",
        "output: { directory: ./revision-results }",
        "",
      ].join("\n");
    await writeFile(join(workspace, "revision.yml"), config("2026-11-01"));
    const first = await runCliCaptured(["run", "--config", "revision.yml"], workspace);
    expect(first.stdout).toMatch(/tfidf\s+quickstart(\s+[\d.]+){4}\s+393\s+0\s/);
    const same = await runCliCaptured(["run", "--config", "revision.yml"], workspace);
    expect(same.stdout).toMatch(/tfidf\s+quickstart(\s+[\d.]+){4}\s+0\s+393\s/);
    await writeFile(join(workspace, "revision.yml"), config("2026-11-27"));
    const bumped = await runCliCaptured(["run", "--config", "revision.yml"], workspace);
    expect(bumped.stdout).toMatch(/tfidf\s+quickstart(\s+[\d.]+){4}\s+393\s+0\s/);
  });

  it("exits 2 with file, line and suggestion on a config typo", async () => {
    await writeFile(
      join(workspace, "typo.yml"),
      "models:\n  - id: a\n    provider: bm52\ntasks:\n  - name: quickstart\n    path: ./data\n",
    );
    const outcome = await runCliCaptured(["run", "--config", "typo.yml"], workspace);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("typo.yml:3: unknown provider `bm52`; did you mean `bm25`?");
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 on unknown commands and options, 0 on --help", async () => {
    expect((await runCliCaptured(["frobnicate"], workspace)).code).toBe(2);
    const unknownOption = await runCliCaptured(["run", "--confg", "x"], workspace);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("--confg");
    expect((await runCliCaptured(["--help"], workspace)).code).toBe(0);
    // A filter that names nothing must not pass having evaluated nothing.
    const unknownModel = await runCliCaptured(["run", "--model", "bm52"], workspace);
    expect(unknownModel.code).toBe(2);
    expect(unknownModel.stderr).toContain("--model bm52: no such model in the config");
    expect(unknownModel.stderr).toContain("Did you mean `bm25`?");
  });

  it("exits 1 when a dataset is broken, naming file and line", async () => {
    await cp(join(workspace, "data"), join(workspace, "broken"), { recursive: true });
    const corpus = join(workspace, "broken/corpus.jsonl");
    const lines = (await readFile(corpus, "utf8")).split("\n");
    lines[2] = '{"_id": "x", "text": ';
    await writeFile(corpus, lines.join("\n"));
    await writeFile(
      join(workspace, "broken.yml"),
      "models:\n  - id: bm25\n    provider: bm25\ntasks:\n  - name: broken\n    path: ./broken\n",
    );
    const outcome = await runCliCaptured(["run", "--config", "broken.yml"], workspace);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/corpus\.jsonl:3: task `broken`: /);
  });

  it("embeds a corpus shared by several splits once, and reports the task's whole usage", async () => {
    await cp(join(workspace, "data"), join(workspace, "two-splits"), { recursive: true });
    await cp(join(workspace, "two-splits/qrels/test.tsv"), join(workspace, "two-splits/qrels/dev.tsv"));
    await writeFile(
      join(workspace, "splits.yml"),
      [
        "models:",
        "  - id: tfidf",
        "    provider: tfidf",
        "tasks:",
        "  - name: two",
        "    path: ./two-splits",
        "    splits: [test, dev]",
        "cache: { directory: ./splits-cache }",
        "output: { directory: ./splits-results }",
        "",
      ].join("\n"),
    );
    const estimate = await runCliCaptured(
      ["run", "--config", "splits.yml", "--dry-run", "--json"],
      workspace,
    );
    expect(JSON.parse(estimate.stdout)[0]).toMatchObject({ texts: 317 + 76, cached: 0 });
    // Without the cache each split pays for the corpus again, and the estimate says so.
    const uncached = await runCliCaptured(
      ["run", "--config", "splits.yml", "--dry-run", "--json", "--no-cache"],
      workspace,
    );
    expect(JSON.parse(uncached.stdout)[0]).toMatchObject({ texts: 2 * (317 + 76), cached: 0 });
    const outcome = await runCliCaptured(["run", "--config", "splits.yml"], workspace);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/tfidf\s+two\/test\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+393\s+393\s/);
    const result = JSON.parse(
      await readFile(join(workspace, "splits-results/tfidf/no_revision_available/two.json"), "utf8"),
    );
    expect(Object.keys(result.scores).sort()).toEqual(["dev", "test"]);
    expect(result.embedeval.usage).toMatchObject({ textsEmbedded: 393, cacheHits: 393 });
  });

  it("init writes a starter config that loads, and the schema its editor line points at", async () => {
    const folder = await mkdtemp(join(tmpdir(), "embedeval-init-"));
    const outcome = await runCliCaptured(["init"], folder);
    expect(outcome.code).toBe(0);
    expect((await runCliCaptured(["init"], folder)).code).toBe(2);
    const config = await loadConfig(join(folder, "embedeval.yml"));
    expect(config.models.map((model) => model.id)).toEqual(["bm25", "tfidf"]);
    const schema = await runCliCaptured(["schema"], folder);
    expect(JSON.parse(schema.stdout).properties.models.type).toBe("array");

    // The reference resolves against the config's folder (what yaml-language-server does) to the schema.
    const text = await readFile(join(folder, "embedeval.yml"), "utf8");
    const reference = /# yaml-language-server: \$schema=(\S+)/.exec(text)?.[1];
    expect(reference).toBeDefined();
    const written = JSON.parse(await readFile(resolve(folder, reference as string), "utf8"));
    expect(written).toEqual(configJsonSchema());
    // Its $id names the JSON file itself, not a web page about it.
    expect(written.$id).toMatch(/^https:\/\/[^/]+\/.*embedeval\.schema\.json$/);
    expect(written.$id).not.toContain("github.com");

    // In a sub-folder, the schema goes next to the config, where its relative reference points.
    expect((await runCliCaptured(["init", "--config", "ci/embedeval.yml"], folder)).code).toBe(0);
    expect(JSON.parse(await readFile(join(folder, "ci", reference as string), "utf8"))).toEqual(written);
    await rm(folder, { recursive: true, force: true });
  });
});

describe("command-line conventions", () => {
  const commands = ["run", "score", "compare", "report", "init", "schema", "new-plugin"];
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "embedeval-conventions-"));
    const scores = noisyScores(40, 0.6, 0.3, 1).map((value) => Math.max(0.1, value));
    for (const side of ["base", "head"]) {
      await writeTaskResult(
        join(folder, side),
        buildTaskResult({ model: "bm25", task: "SciFact", ndcg: scores }),
      );
    }
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("answers --help, -h and `help <command>` on every command with its usage and exit 0", async () => {
    for (const command of commands) {
      const long = await runCliCaptured([command, "--help"], folder);
      expect(long.code, `${command} --help`).toBe(0);
      expect(long.stdout).toMatch(new RegExp(`^Usage: embedeval ${command}\\b`));
      expect(long.stderr).toBe("");
      expect((await runCliCaptured([command, "-h"], folder)).stdout).toBe(long.stdout);
      expect((await runCliCaptured(["help", command], folder)).stdout).toBe(long.stdout);
    }
    const unknown = await runCliCaptured(["help", "compair"], folder);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("did you mean `compare`?");
  });

  it("prints the version for -V and --version", async () => {
    for (const flag of ["-V", "--version"]) {
      const outcome = await runCliCaptured([flag], folder);
      expect(outcome).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    }
  });

  it("colours a terminal's report unless NO_COLOR is set", async () => {
    const coloured = await runCliCaptured(["report", "head"], folder, {}, { terminal: true });
    expect(coloured.code).toBe(0);
    expect(coloured.stdout).toContain("\u001b[");
    const plain = await runCliCaptured(["report", "head"], folder, { NO_COLOR: "1" }, { terminal: true });
    expect(plain.stdout).not.toContain("\u001b[");
    expect(plain.stdout.length).toBeGreaterThan(0);
  });

  it("ends quietly with exit 0 when the reader of its output goes away (`... --json | head`)", async () => {
    const repositoryRoot = resolve(import.meta.dirname, "../../..");
    const child = spawn(
      process.execPath,
      [
        "--conditions=@embedeval/source",
        "--import",
        "tsx",
        join(repositoryRoot, "packages/cli/src/main.ts"),
        "compare",
        join(folder, "base"),
        join(folder, "head"),
        "--json",
      ],
      { cwd: repositoryRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    // The reader is gone before the first byte is written, as `head` is after its lines.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
