import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { DatasetError, EmbedEvalError } from "@embedeval/provider-contract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseQrels } from "../trec/qrels-file.js";
import { documentText, loadBeirFolder, pythonStrip } from "./beir-folder-loader.js";

const fixture = fileURLToPath(new URL("../../test/fixtures/datasets/tiny-beir", import.meta.url));

const goodCorpus = '{"_id": "d1", "title": "T", "text": "one"}\n{"_id": "d2", "text": "two"}\n';
const goodQueries = '{"_id": "q1", "text": "first"}\n';
const goodQrels = "query-id\tcorpus-id\tscore\nq1\td1\t1\n";

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "embedeval-beir-"));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function writeFolder(files: { corpus?: string; queries?: string; qrels?: string; split?: string }) {
  if (files.corpus !== undefined) await writeFile(join(folder, "corpus.jsonl"), files.corpus);
  if (files.queries !== undefined) await writeFile(join(folder, "queries.jsonl"), files.queries);
  if (files.qrels !== undefined) {
    await mkdir(join(folder, "qrels"), { recursive: true });
    await writeFile(join(folder, "qrels", `${files.split ?? "test"}.tsv`), files.qrels);
  }
}

async function loadError(split = "test"): Promise<DatasetError> {
  try {
    await loadBeirFolder({ folder, split, name: "t" });
  } catch (error) {
    expect(EmbedEvalError.is(error)).toBe(true);
    expect(error).toBeInstanceOf(DatasetError);
    return error as DatasetError;
  }
  throw new Error("expected loadBeirFolder to fail");
}

describe("loadBeirFolder", () => {
  it("loads the fixture: numeric ids, titles, file order, only judged queries, counted warnings", async () => {
    const dataset = await loadBeirFolder({ folder: fixture, split: "test", name: "tiny" });
    expect(dataset.name).toBe("tiny");
    expect(dataset.split).toBe("test");
    expect(dataset.corpus).toEqual([
      { id: "d1", title: "Rotating keys", text: "Rotate access keys every ninety days. " },
      { id: "d2", title: "", text: "  Backups run nightly at 02:00 UTC.  " },
      { id: "3", title: "", text: "Numeric id document without a title." },
    ]);
    // q3 is judged only in train, so it is not part of the test split.
    expect(dataset.queries.map((query) => query.id)).toEqual(["q1", "q2"]);
    expect(dataset.qrels).toEqual(
      new Map([
        [
          "q1",
          new Map([
            ["d1", 2],
            ["3", 0],
          ]),
        ],
        // The judgment of a document absent from the corpus is kept, as BEIR and pytrec_eval keep it.
        [
          "q2",
          new Map([
            ["d2", 1],
            ["missing-doc", 1],
          ]),
        ],
      ]),
    );
    expect(dataset.warnings).toHaveLength(2);
    expect(dataset.warnings[0]).toMatch(
      /1 judgment\(s\) name 1 query id\(s\) absent from queries.jsonl \(ignored\): "q9"\./,
    );
    expect(dataset.warnings[1]).toMatch(
      /1 judgment\(s\) name 1 document id\(s\) absent from corpus.jsonl \(kept, as MTEB keeps them: they count as relevant but cannot be retrieved\): "missing-doc"\./,
    );
  });

  it("hashes the three files' bytes: stable, and sensitive to each file", async () => {
    const first = await loadBeirFolder({ folder: fixture, split: "test", name: "tiny" });
    const second = await loadBeirFolder({ folder: fixture, split: "test", name: "tiny" });
    expect(first.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(second.contentHash).toBe(first.contentHash);
    const digest = async (path: string) =>
      createHash("sha256")
        .update(await readFile(join(fixture, path)))
        .digest("hex");
    const expected = createHash("sha256")
      .update(`corpus ${await digest("corpus.jsonl")}\n`)
      .update(`queries ${await digest("queries.jsonl")}\n`)
      .update(`qrels test ${await digest("qrels/test.tsv")}\n`)
      .digest("hex");
    expect(first.contentHash).toBe(expected);

    await cp(fixture, folder, { recursive: true });
    await writeFile(
      join(folder, "queries.jsonl"),
      `${await readFile(join(fixture, "queries.jsonl"), "utf8")}\n`,
    );
    const changed = await loadBeirFolder({ folder, split: "test", name: "tiny" });
    expect(changed.contentHash).not.toBe(first.contentHash);
  });

  it("reads gzipped files, CRLF endings and a byte-order mark", async () => {
    await mkdir(join(folder, "qrels"));
    await writeFile(
      join(folder, "corpus.jsonl.gz"),
      gzipSync(`\ufeff${goodCorpus.replaceAll("\n", "\r\n")}`),
    );
    await writeFile(join(folder, "queries.jsonl.gz"), gzipSync(goodQueries));
    await writeFile(join(folder, "qrels", "test.tsv.gz"), gzipSync(goodQrels.replaceAll("\n", "\r\n")));
    const dataset = await loadBeirFolder({ folder, split: "test", name: "gz" });
    expect(dataset.corpus.map((document) => document.id)).toEqual(["d1", "d2"]);
    expect(dataset.qrels.get("q1")?.get("d1")).toBe(1);
    expect(dataset.warnings).toEqual([]);
  });

  it("accepts a qrels file without a header row", async () => {
    await writeFolder({ corpus: goodCorpus, queries: goodQueries, qrels: "q1\td2\t2\n" });
    const dataset = await loadBeirFolder({ folder, split: "test", name: "t" });
    expect(dataset.qrels.get("q1")).toEqual(new Map([["d2", 2]]));
  });

  it("counts repeated identical judgments once and warns", async () => {
    await writeFolder({ corpus: goodCorpus, queries: goodQueries, qrels: `${goodQrels}q1\td1\t1\n` });
    const dataset = await loadBeirFolder({ folder, split: "test", name: "t" });
    expect(dataset.warnings).toEqual([
      expect.stringMatching(/1 repeated judgment line\(s\) with the same grade/),
    ]);
  });

  it("rejects a folder that does not exist", async () => {
    await rm(folder, { recursive: true });
    const error = await loadError();
    expect(error.message).toBe(`Dataset folder ${folder} does not exist or is not a folder.`);
    expect(error.hint).toMatch(/corpus.jsonl, queries.jsonl and qrels\/<split>.tsv/);
  });

  it("names a missing file and what a BEIR folder needs", async () => {
    await writeFolder({ queries: goodQueries, qrels: goodQrels });
    const error = await loadError();
    expect(error.message).toBe(`corpus.jsonl is missing from ${folder}.`);
    expect(error.file).toBe(join(folder, "corpus.jsonl"));
    expect(error.hint).toBe(
      "A BEIR folder holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv (each may be gzipped as .gz).",
    );

    await writeFolder({ corpus: goodCorpus });
    await rm(join(folder, "queries.jsonl"));
    expect((await loadError()).message).toBe(`queries.jsonl is missing from ${folder}.`);

    await writeFolder({ queries: goodQueries });
    await rm(join(folder, "qrels"), { recursive: true });
    expect((await loadError()).message).toBe(`The qrels folder is missing from ${folder}.`);
  });

  it("lists the splits present when the split is missing", async () => {
    await writeFolder({ corpus: goodCorpus, queries: goodQueries, qrels: goodQrels, split: "train" });
    await writeFile(join(folder, "qrels", "dev.tsv.gz"), gzipSync(goodQrels));
    const error = await loadError("test");
    expect(error.message).toBe(`Split "test" not found: ${join(folder, "qrels")} has no test.tsv.`);
    expect(error.hint).toBe("Splits present: dev, train. Choose one of them in the task's splits.");
  });

  it("reports malformed JSON with file and line", async () => {
    await writeFolder({
      corpus: `${goodCorpus}\n{"_id": "d3", "text": }\n`,
      queries: goodQueries,
      qrels: goodQrels,
    });
    const error = await loadError();
    expect(error.message).toMatch(/^Malformed JSON: /);
    expect(error.file).toBe(join(folder, "corpus.jsonl"));
    expect(error.line).toBe(4);
  });

  it("rejects a line that is not an object", async () => {
    await writeFolder({ corpus: goodCorpus, queries: '["q1", "first"]\n', qrels: goodQrels });
    const error = await loadError();
    expect(error.message).toBe("Expected a JSON object on this line.");
    expect(error.file).toBe(join(folder, "queries.jsonl"));
    expect(error.line).toBe(1);
  });

  it("rejects a missing or non-string _id", async () => {
    await writeFolder({ corpus: '{"title": "x", "text": "y"}\n', queries: goodQueries, qrels: goodQrels });
    let error = await loadError();
    expect(error.message).toBe("Missing _id.");
    expect(error.line).toBe(1);

    await writeFolder({ corpus: goodCorpus, queries: `${goodQueries}{"_id": ["q2"], "text": "x"}\n` });
    error = await loadError();
    expect(error.message).toBe('_id must be a non-empty string, got ["q2"].');
    expect(error.file).toBe(join(folder, "queries.jsonl"));
    expect(error.line).toBe(2);
  });

  it("rejects a missing or non-string text and a non-string title", async () => {
    await writeFolder({ corpus: '{"_id": "d1", "title": "x"}\n', queries: goodQueries, qrels: goodQrels });
    expect((await loadError()).message).toBe("Missing text.");

    await writeFolder({ corpus: goodCorpus, queries: '{"_id": "q1", "text": 42}\n' });
    const error = await loadError();
    expect(error.message).toBe("text must be a string, got 42.");
    expect(error.line).toBe(1);

    await writeFolder({ corpus: '{"_id": "d1", "title": 7, "text": "x"}\n', queries: goodQueries });
    expect((await loadError()).message).toBe("title must be a string, got 7.");
  });

  it("rejects duplicate document and query ids with the line of the second", async () => {
    await writeFolder({
      corpus: `${goodCorpus}{"_id": "d1", "text": "again"}\n`,
      queries: goodQueries,
      qrels: goodQrels,
    });
    let error = await loadError();
    expect(error.message).toBe('Duplicate document id "d1".');
    expect(error.line).toBe(3);

    await writeFolder({ corpus: goodCorpus, queries: `${goodQueries}{"_id": "q1", "text": "again"}\n` });
    error = await loadError();
    expect(error.message).toBe('Duplicate query id "q1".');
    expect(error.line).toBe(2);
  });

  it("rejects qrels lines with the wrong column count or a non-integer score", async () => {
    await writeFolder({ corpus: goodCorpus, queries: goodQueries, qrels: `${goodQrels}q1\td2\n` });
    let error = await loadError();
    expect(error.message).toBe("Expected 3 tab-separated columns (query-id, corpus-id, score), got 2.");
    expect(error.file).toBe(join(folder, "qrels", "test.tsv"));
    expect(error.line).toBe(3);

    await writeFolder({ qrels: `${goodQrels}q1 d2 1\n` });
    error = await loadError();
    expect(error.message).toBe("Expected 3 tab-separated columns (query-id, corpus-id, score), got 1.");
    expect(error.hint).toBe("Columns are separated by spaces; BEIR qrels use tabs.");

    await writeFolder({ qrels: `${goodQrels}q1\td2\t0.5\n` });
    error = await loadError();
    expect(error.message).toBe('Score must be an integer grade, got "0.5".');
    expect(error.line).toBe(3);
  });

  it("reads a grade written with a zero fraction, as the qrels-file reader does", async () => {
    await writeFolder({ corpus: goodCorpus, queries: goodQueries, qrels: `${goodQrels}q1\td2\t2.0\n` });
    const dataset = await loadBeirFolder({ folder, split: "test", name: "t" });
    expect(dataset.qrels.get("q1")?.get("d2")).toBe(2);
    expect(parseQrels("query-id\tcorpus-id\tscore\nq1\td2\t2.0\n").qrels.get("q1")?.get("d2")).toBe(2);
  });

  it("rejects conflicting grades for the same pair", async () => {
    await writeFolder({ corpus: goodCorpus, queries: goodQueries, qrels: `${goodQrels}q1\td1\t2\n` });
    const error = await loadError();
    expect(error.message).toBe('Conflicting grades for query "q1" and document "d1": 1 on line 2, 2 here.');
    expect(error.line).toBe(3);
  });

  it("rejects an empty corpus", async () => {
    await writeFolder({ corpus: "\n", queries: goodQueries, qrels: goodQrels });
    const error = await loadError();
    expect(error.message).toBe("The corpus is empty: no document to retrieve.");
    expect(error.file).toBe(join(folder, "corpus.jsonl"));
  });

  it("rejects a split where no query has a judgment, and summarises unknown ids", async () => {
    const lines = Array.from({ length: 7 }, (_, index) => `q${index + 2}\td1\t1`).join("\n");
    await writeFolder({
      corpus: goodCorpus,
      queries: goodQueries,
      qrels: `query-id\tcorpus-id\tscore\n${lines}\n`,
    });
    const error = await loadError();
    expect(error.message).toBe(
      `No query of ${join(folder, "queries.jsonl")} has a judgment in split "test".`,
    );
  });

  it("quotes the first five unknown ids, then an ellipsis", async () => {
    const lines = Array.from({ length: 7 }, (_, index) => `q1\tx${index}\t1\nq1\tx${index}\t1`).join("\n");
    await writeFolder({ corpus: goodCorpus, queries: goodQueries, qrels: `${goodQrels}${lines}\n` });
    const dataset = await loadBeirFolder({ folder, split: "test", name: "t" });
    expect(dataset.warnings).toEqual([
      `${join(folder, "qrels", "test.tsv")}: 14 judgment(s) name 7 document id(s) absent from corpus.jsonl (kept, as MTEB keeps them: they count as relevant but cannot be retrieved): "x0", "x1", "x2", "x3", "x4", ....`,
      `${join(folder, "qrels", "test.tsv")}: 7 repeated judgment line(s) with the same grade (counted once).`,
    ]);
  });

  it("reports a corrupt gzip file as a dataset error", async () => {
    await writeFolder({ queries: goodQueries, qrels: goodQrels });
    await writeFile(join(folder, "corpus.jsonl.gz"), Buffer.from("not gzip at all"));
    const error = await loadError();
    expect(error.message).toMatch(/^Could not read .*corpus.jsonl.gz: /);
    expect(error.hint).toMatch(/not valid gzip/);
  });

  it("stops when the signal is aborted", async () => {
    await writeFolder({ corpus: goodCorpus, queries: goodQueries, qrels: goodQrels });
    const controller = new AbortController();
    controller.abort();
    await expect(
      loadBeirFolder({ folder, split: "test", name: "t", signal: controller.signal }),
    ).rejects.toMatchObject({
      code: "cancelled",
    });
  });
});

describe("documentText", () => {
  it("joins a non-empty title and the text with one space, then strips, as MTEB does", () => {
    expect(documentText({ title: "Title", text: "Body " })).toBe("Title Body");
    expect(documentText({ title: " Title", text: "" })).toBe("Title");
    expect(documentText({ title: "", text: "  Body\n" })).toBe("Body");
    expect(documentText({ title: " ", text: "Body" })).toBe("Body");
  });

  it("strips exactly what Python's str.strip() strips, not what trim() strips", () => {
    // Python strips the separators U+001C..U+001F and NEL (U+0085); it keeps the byte-order mark.
    expect(documentText({ title: "", text: "\u001cBody\u0085\u001f" })).toBe("Body");
    expect(documentText({ title: "", text: "\ufeffBody\ufeff" })).toBe("\ufeffBody\ufeff");
    expect(pythonStrip("\u3000\u2028 \t\u00a0Body\u202f\u205f\u2000\u200a\r\n")).toBe("Body");
    expect(pythonStrip("\u200bBody")).toBe("\u200bBody");
    expect(pythonStrip("   ")).toBe("");
  });
});
