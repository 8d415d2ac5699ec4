import { resolve } from "node:path";
import {
  DatasetError,
  loadConfig,
  mergeRankings,
  retrievalKValues,
  scoreRanking,
  type TaskPredictions,
  type TaskResult,
  topDocuments,
  writeTaskPredictions,
  writeTaskResult,
} from "@embedeval/core";
import { mergeSplits, prepareRun, type RunEvaluationOptions } from "./run-evaluation.js";
import { readShardFiles, type ShardFile } from "./shard-file.js";
import { planShards } from "./shard-plan.js";

export interface MergeShardsOptions extends RunEvaluationOptions {
  /** The folder holding every shard's file (in subfolders too). */
  shardsDirectory: string;
}

export interface MergeShardsResult {
  results: TaskResult[];
  files: string[];
  outputDirectory: string;
  /** Model × task pairs of the config with no shard file at all (their shard runs failed or were skipped). */
  missing: { model: string; task: string }[];
}

/**
 * `embedeval merge`: the shards' rankings joined and scored into the result files one machine would
 * write. Per query the ranges' top-k lists merge exactly (trec_eval's order, ties included); the
 * scores, per-query terms and result layout then come from the same code as a whole run. A model ×
 * task whose ranges are not all there, or were cut from other data, is refused rather than scored.
 */
export async function mergeShards(options: MergeShardsOptions): Promise<MergeShardsResult> {
  const config = options.config ?? (await loadConfig(resolve(options.cwd, options.configPath)));
  const shards = await readShardFiles(resolve(options.cwd, options.shardsDirectory), options.cwd);
  if (shards.length === 0) {
    throw new DatasetError(`no shard file in ${options.shardsDirectory}`, {
      hint: "Download every shard run's artifact into this folder first (actions/download-artifact).",
    });
  }
  const groups = new Map<string, ShardFile[]>();
  for (const shard of shards) {
    const key = JSON.stringify([shard.cell.model, shard.cell.task]);
    groups.set(key, [...(groups.get(key) ?? []), shard]);
  }
  // Retrieval scores are computed here, from the dataset; other task types arrive scored.
  const taskNames = config.tasks
    .map((task) => task.name)
    .filter((name) => shards.some((shard) => shard.cell.task === name && !shard.result));
  // The pairs a plan has cells for (a lexical retriever has none on the other task types).
  const planned = new Set(planShards(config).map((cell) => JSON.stringify([cell.model, cell.task])));
  // Datasets only (no model is selected, so no provider is created): qrels, query and document ids.
  const { datasets, tasks } = await prepareRun({
    ...options,
    config,
    noCache: true,
    models: [],
    tasks: taskNames,
  });

  const results: TaskResult[] = [];
  const files: string[] = [];
  const missing: { model: string; task: string }[] = [];
  const topK = retrievalKValues[retrievalKValues.length - 1] as number;
  // The order one machine runs and writes them: models, then tasks.
  for (const model of config.models) {
    if (options.models && !options.models.includes(model.id)) continue;
    for (const task of config.tasks) {
      if (options.tasks && !options.tasks.includes(task.name)) continue;
      const group = groups.get(JSON.stringify([model.id, task.name]));
      if (!group) {
        if (planned.has(JSON.stringify([model.id, task.name])))
          missing.push({ model: model.id, task: task.name });
        continue;
      }
      const parts = checkComplete(group);
      if (parts[0]?.result) {
        results.push(parts[0].result);
        files.push(await writeTaskResult(config.output.directory, parts[0].result));
        continue;
      }
      const taskConfig = tasks.find((candidate) => candidate.name === task.name) ?? task;
      const perSplit: TaskResult[] = [];
      const predictions: TaskPredictions = new Map();
      for (const dataset of datasets.get(task.name) ?? []) {
        const rankings = parts.map((shard) => {
          const split = shard.splits.find((candidate) => candidate.split === dataset.split);
          if (!split) {
            throw new DatasetError(`shard ${shard.cell.shard} has no results for split ${dataset.split}`, {
              ...(shard.file ? { file: shard.file } : {}),
              hint: "Run every shard with the same config as the merge.",
            });
          }
          if (split.datasetContentHash !== dataset.contentHash || split.documents !== dataset.corpus.length) {
            throw new DatasetError(
              `shard ${shard.cell.shard} searched other data than ${task.name}/${dataset.split} holds here`,
              {
                ...(shard.file ? { file: shard.file } : {}),
                hint: "The shard runs and the merge must read the same dataset revision; rerun the shards.",
              },
            );
          }
          return split.ranking;
        });
        const identity = JSON.stringify(rankings[0]?.model);
        if (rankings.some((ranking) => JSON.stringify(ranking.model) !== identity)) {
          throw new DatasetError(
            `the shards of ${model.id} × ${task.name} ran the model with different options`,
            {
              hint: "Run every shard from the same commit of the config, then merge.",
            },
          );
        }
        const merged = mergeRankings(rankings, topK);
        // The predictions file one machine writes (run-evaluation.ts), from the merged ranking.
        predictions.set(
          dataset.split,
          topDocuments(merged.run, { ignoreIdenticalIds: taskConfig.ignoreIdenticalIds }),
        );
        const now = () => performance.now();
        // Timed as the work the shards did side by side, plus the scoring done here.
        const started = now() - (merged.embedSeconds + merged.searchSeconds) * 1000;
        perSplit.push(
          scoreRanking(dataset, merged, { ignoreIdenticalIds: taskConfig.ignoreIdenticalIds, now, started }),
        );
      }
      const result = mergeSplits(perSplit);
      if (result) {
        results.push(result);
        const path = await writeTaskResult(config.output.directory, result);
        files.push(path);
        if (predictions.size > 0) await writeTaskPredictions(path, result, predictions);
      }
    }
  }
  return { results, files, outputDirectory: config.output.directory, missing };
}

/** The group's shards in range order, once each, all of one plan; otherwise says which are missing. */
function checkComplete(group: ShardFile[]): ShardFile[] {
  const [first] = group;
  const parts = first?.cell.parts ?? 0;
  const byPart = new Map<number, ShardFile>();
  for (const shard of group) {
    if (shard.cell.parts !== parts) {
      throw new DatasetError(
        `shards of ${shard.cell.model} × ${shard.cell.task} come from different plans (${parts} and ${shard.cell.parts} ranges)`,
        { hint: "Keep only the shard files of one `embedeval plan`." },
      );
    }
    if (byPart.has(shard.cell.part)) {
      throw new DatasetError(`shard ${shard.cell.shard} is there twice`, {
        ...(shard.file ? { file: shard.file } : {}),
        hint: "Download each shard's artifact once.",
      });
    }
    byPart.set(shard.cell.part, shard);
  }
  const absent: string[] = [];
  for (let part = 1; part <= parts; part++) {
    if (!byPart.has(part)) absent.push(`${first?.cell.shard.replace(/\.\d+of\d+$/, "")}.${part}of${parts}`);
  }
  if (absent.length > 0) {
    throw new DatasetError(`missing shard${absent.length === 1 ? "" : "s"}: ${absent.join(", ")}`, {
      hint: "Every range of a model × task is needed for its scores: rerun the failed shard jobs, then merge.",
    });
  }
  return [...byPart.keys()].sort((a, b) => a - b).map((part) => byPart.get(part) as ShardFile);
}
