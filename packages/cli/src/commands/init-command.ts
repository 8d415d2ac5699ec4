import { access, mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { configJsonSchema, type LocalTaskType, localTaskTypes, UsageError } from "@embedeval/core";
import { type Command, ExitCode } from "../command-context.js";
import { parseCommandArguments } from "../parse-command-arguments.js";
import { rerankingExampleQrels, taskTypeExamples } from "./task-type-examples.js";

/** Written next to the config by `init`; the config's yaml-language-server line points at it. */
export const schemaFileName = "embedeval.schema.json";

export const starterConfig = `# embedeval.yml: which embedding models to evaluate, on which tasks, and what counts as a regression.
# Every key: \`embedeval schema\` (written next to this file by \`embedeval init\`). Run it: \`embedeval run\`.
# yaml-language-server: $schema=./${schemaFileName}

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

const help = `Usage: embedeval init [--config embedeval.yml] [--task-type TYPE] [--force]

Writes a commented starter config (two offline baselines and a local BEIR folder) and, next to it,
embedeval.schema.json, which the config's yaml-language-server line points editors at for completion
and checks. After upgrading embedeval, refresh the schema with \`embedeval schema > embedeval.schema.json\`.

Options:
  -c, --config FILE   where to write the config (default: embedeval.yml)
      --task-type TYPE  a task of another MTEB type, with an example folder in its layout:
                      ${localTaskTypes.join(", ")}
      --force         overwrite the config and the schema file if they exist`;

export const initCommand: Command = async (context) => {
  const { values } = parseCommandArguments("init", {
    args: context.argv,
    options: {
      force: { type: "boolean", default: false },
      config: { type: "string", short: "c", default: "embedeval.yml" },
      "task-type": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    context.stdout.write(`${help}\n`);
    return ExitCode.ok;
  }
  const taskType = values["task-type"] as LocalTaskType | undefined;
  if (taskType !== undefined && !localTaskTypes.includes(taskType)) {
    throw new UsageError(`unknown task type \`${taskType}\``, {
      hint: `Pass one of ${localTaskTypes.join(", ")}.`,
    });
  }
  const file = resolve(context.cwd, values.config);
  if ((await exists(file)) && !values.force) {
    throw new UsageError(`${values.config} already exists`, { hint: "Pass --force to overwrite it." });
  }
  // The schema the config's first lines reference, so the reference resolves in any folder, with or
  // without node_modules (`npx @embedeval/cli init` in an empty folder has none).
  const schemaFile = join(dirname(file), schemaFileName);
  const writeSchema = values.force || !(await exists(schemaFile));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, taskType ? typedStarterConfig(taskType) : starterConfig);
  if (taskType) await writeTaskTypeExample(join(dirname(file), "data", `my-${taskType}`), taskType);
  if (writeSchema) await writeFile(schemaFile, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  const schemaPath = relative(context.cwd, schemaFile);
  context.stdout.write(
    `wrote ${values.config}${writeSchema ? ` and ${schemaPath}` : ` (kept the existing ${schemaPath})`}; edit the models and tasks, then run \`embedeval run\`\n`,
  );
  return ExitCode.ok;
};

/** The starter config with its task replaced by a local task of the given type. */
function typedStarterConfig(taskType: LocalTaskType): string {
  return starterConfig
    .replace(
      "  # Your own BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv (.gz accepted).\n  - name: my-dataset\n    path: ./data/my-dataset\n",
      `  # Your own ${taskType} data, in the layout of docs/task-types.md (an example was written there).\n  - name: my-${taskType}\n    type: ${taskType}\n    path: ./data/my-${taskType}\n`,
    )
    .replace(
      "  metric: ndcg_at_10      # main score, as in MTEB",
      "  metric: main_score      # each task's main score, as in MTEB",
    );
}

async function writeTaskTypeExample(folder: string, taskType: LocalTaskType): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const [name, rows] of Object.entries(taskTypeExamples[taskType])) {
    await writeFile(join(folder, name), `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`);
  }
  if (taskType === "reranking") {
    await mkdir(join(folder, "qrels"), { recursive: true });
    await writeFile(join(folder, "qrels", "test.tsv"), rerankingExampleQrels);
  }
}

function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
