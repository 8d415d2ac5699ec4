import { describe, expect, it } from "vitest";
import { readDatasetCardConfigs } from "./hub-dataset-card.js";
import { chooseHubLayout } from "./hub-dataset-layout.js";

const card = (body: string) => `---\n${body}\n---\n# A dataset\n`;

describe("chooseHubLayout", () => {
  it("expands the card's data_files globs and picks the corpus config's only split", () => {
    const configs = readDatasetCardConfigs(
      card(
        [
          "configs:",
          "- config_name: corpus",
          "  data_files:",
          "  - split: train",
          '    path: "data/corpus-*.parquet"',
          "- config_name: queries",
          "  data_files: data/queries.parquet",
          "- config_name: qrels",
          "  data_files:",
          "    test: [data/qrels-test.jsonl]",
          "    dev: data/qrels-dev.jsonl",
        ].join("\n"),
      ),
    );
    const files = [
      "data/corpus-0.parquet",
      "data/corpus-1.parquet",
      "data/queries.parquet",
      "data/qrels-test.jsonl",
      "data/qrels-dev.jsonl",
      "README.md",
    ];
    expect(chooseHubLayout(files, configs, ["test", "dev"], "org/set@main")).toEqual([
      {
        split: "test",
        corpus: ["data/corpus-0.parquet", "data/corpus-1.parquet"],
        queries: ["data/queries.parquet"],
        qrels: ["data/qrels-test.jsonl"],
      },
      {
        split: "dev",
        corpus: ["data/corpus-0.parquet", "data/corpus-1.parquet"],
        queries: ["data/queries.parquet"],
        qrels: ["data/qrels-dev.jsonl"],
      },
    ]);
    expect(() => chooseHubLayout(files, configs, ["validation"], "org/set@main")).toThrow(
      'Split "validation" not found in org/set@main: the card\'s "qrels" config (the qrels).',
    );
  });

  it("names a card config whose files are missing, and a format it cannot read", () => {
    const configs = readDatasetCardConfigs(
      card(
        [
          "configs:",
          "- config_name: corpus",
          "  data_files: corpus.csv",
          "- config_name: queries",
          "  data_files: q.jsonl",
          "- config_name: default",
          "  data_files: {test: qrels.tsv}",
        ].join("\n"),
      ),
    );
    expect(() => chooseHubLayout(["q.jsonl", "qrels.tsv"], configs, ["test"], "org/set@main")).toThrow(
      'org/set@main: config "corpus" names corpus.csv, but the repository holds no such file.',
    );
    expect(() =>
      chooseHubLayout(["corpus.csv", "q.jsonl", "qrels.tsv"], configs, ["test"], "org/set@main"),
    ).toThrow('org/set@main: config "corpus": cannot read corpus.csv.');
  });

  it("takes the corpus of the evaluated split when a folder holds several, and names them otherwise", () => {
    const files = [
      "corpus/dev-0.jsonl",
      "corpus/test-0.jsonl",
      "queries/test-0.jsonl",
      "qrels/test-0.jsonl",
      "qrels/dev-0.jsonl",
    ];
    expect(chooseHubLayout(files, [], ["test"], "org/set@main")[0]?.corpus).toEqual(["corpus/test-0.jsonl"]);
    expect(() =>
      chooseHubLayout(
        [...files.filter((file) => !file.startsWith("corpus/test")), "corpus/train-0.jsonl"],
        [],
        ["test"],
        "org/set@main",
      ),
    ).toThrow('Split "test" not found in org/set@main: corpus/.');
  });

  it("ignores a card without configs or with front matter that does not parse", () => {
    expect(readDatasetCardConfigs("# no front matter")).toEqual([]);
    expect(readDatasetCardConfigs(card("license: mit"))).toEqual([]);
    expect(readDatasetCardConfigs(card("configs: [unclosed"))).toEqual([]);
  });
});
