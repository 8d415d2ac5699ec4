import { access, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "@embedeval/core";
import type { Command } from "../command-context.js";
import { parseCommandArguments } from "../parse-command-arguments.js";

export const starterConfig = `# embedeval.yml: which embedding models to evaluate, on which tasks, and what counts as a regression.
# Every key: \`embedeval schema\`. Run it: \`embedeval run\`.
# yaml-language-server: $schema=./embedeval.schema.json

# Names this config; a repository with several configs gets one PR comment each.
name: retrieval

models:
  # Built-in, offline baselines: no account, no network.
  - id: bm25
    provider: bm25
    options: { k1: 0.9, b: 0.4 }   # Anserini's BEIR defaults
  - id: tfidf
    provider: tfidf
    options: { dimensions: 4096 }

  # Amazon Bedrock (needs AWS credentials from the standard chain and bedrock:InvokeModel).
  # - id: titan-v2-512
  #   provider: bedrock
  #   model: amazon.titan-embed-text-v2:0
  #   options: { dimensions: 512, normalize: true, region: us-east-1 }
  #   runtime: { maxConcurrency: 8, requestsPerMinute: 2000 }

  # A SageMaker endpoint serving Hugging Face TEI.
  # - id: bge-base
  #   provider: sagemaker
  #   model: bge-base-en-v1-5
  #   options: { endpointName: bge-base-en-v1-5, format: tei, region: us-east-1 }
  #   queryPrefix: "Represent this sentence for searching relevant passages: "

tasks:
  # An MTEB task by name, downloaded once from the Hugging Face hub, then read from the cache:
  # - name: SciFact
  # Your own BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv (.gz accepted).
  - name: my-dataset
    path: ./data/my-dataset
    splits: [test]

compare:
  metric: ndcg_at_10      # main score, as in MTEB
  maxDrop: 0.01           # a drop of more than one nDCG point...
  significance: 0.05      # ...that a paired permutation test finds significant, fails the check
  # overrides:
  #   - task: my-dataset
  #     maxDrop: "2%"

cache:
  directory: .embedeval/cache   # embeddings are cached here: a rerun with nothing changed calls no provider

output:
  directory: embedeval-results  # one JSON file per (model, task), MTEB's layout
`;

export const initCommand: Command = async (context) => {
  const { values } = parseCommandArguments("init", {
    args: context.argv,
    options: {
      force: { type: "boolean", default: false },
      config: { type: "string", default: "embedeval.yml" },
    },
    allowPositionals: false,
  });
  const file = resolve(context.cwd, values.config);
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (exists && !values.force) {
    throw new UsageError(`${values.config} already exists`, { hint: "Pass --force to overwrite it." });
  }
  await writeFile(file, starterConfig);
  context.stdout.write(`wrote ${values.config}; edit the models and tasks, then run \`embedeval run\`\n`);
  return 0;
};
