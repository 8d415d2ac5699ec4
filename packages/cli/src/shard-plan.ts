import { closestMatch, type EmbedEvalConfig, type ModelConfig, UsageError } from "@embedeval/core";

/** One cell of `strategy.matrix`: a model on a task, over one range of the task's documents (retrieval). */
export interface ShardCell {
  /** What `embedeval run --shard` takes; usable as an artifact name. */
  shard: string;
  model: string;
  task: string;
  /** This cell's range of the corpus: part `part` (from 1) of `parts` equal ranges. */
  part: number;
  parts: number;
}

export interface ShardPlanOptions {
  /** Split each dense model's corpus into this many document ranges (default 1: one cell per model × task). */
  corpusShards?: number;
  models?: string[];
  tasks?: string[];
}

/** GitHub Actions runs at most 256 jobs of one matrix. */
export const maximumMatrixCells = 256;

/** Lexical retrievers score with corpus statistics (BM25's IDF): a range alone would score differently. */
const wholeCorpusProviders = new Set(["bm25"]);

export function canShardCorpus(model: ModelConfig): boolean {
  return !wholeCorpusProviders.has(model.provider);
}

/**
 * Every cell of a sharded run, in the order one machine would run them (models, then tasks, then
 * ranges). Ids are derived from the config, so `run --shard ID` finds its cell again from the same config.
 */
export function planShards(config: EmbedEvalConfig, options: ShardPlanOptions = {}): ShardCell[] {
  const corpusShards = options.corpusShards ?? 1;
  if (!Number.isInteger(corpusShards) || corpusShards < 1) {
    throw new UsageError(`--corpus-shards must be a whole number of at least 1, got ${corpusShards}`);
  }
  const cells: ShardCell[] = [];
  const seen = new Map<string, string>();
  for (const model of config.models) {
    if (options.models && !options.models.includes(model.id)) continue;
    for (const task of config.tasks) {
      if (options.tasks && !options.tasks.includes(task.name)) continue;
      const retrieval = task.type === undefined || task.type === "retrieval";
      // A lexical retriever has no score on the other task types: a whole run leaves it out of them too.
      if (!retrieval && !canShardCorpus(model)) continue;
      // Only retrieval splits by document range; the other types run whole in one cell.
      const parts = retrieval && canShardCorpus(model) ? corpusShards : 1;
      for (let part = 1; part <= parts; part++) {
        const shard = shardId(model.id, task.name, part, parts);
        const owner = `${model.id} × ${task.name}`;
        const clash = seen.get(shard);
        if (clash !== undefined && clash !== owner) {
          throw new UsageError(`${clash} and ${owner} would share the shard id ${shard}`, {
            hint: "Rename one model id or task name so that they differ in letters or digits.",
          });
        }
        seen.set(shard, owner);
        cells.push({ shard, model: model.id, task: task.name, part, parts });
      }
    }
  }
  return cells;
}

/** The cell a shard id names, found by planning the config again with the id's number of ranges. */
export function findShard(config: EmbedEvalConfig, id: string): ShardCell {
  const parts = Number(/\.\d+of(\d+)$/.exec(id)?.[1] ?? Number.NaN);
  const candidates = Number.isInteger(parts) && parts >= 1 ? planShards(config, { corpusShards: parts }) : [];
  const cell = candidates.find((candidate) => candidate.shard === id);
  if (cell) return cell;
  const known = candidates.length > 0 ? candidates : planShards(config);
  const suggestion = closestMatch(
    id,
    known.map((candidate) => candidate.shard),
  );
  throw new UsageError(`--shard ${id}: no such shard in this config`, {
    hint: `${suggestion ? `Did you mean \`${suggestion}\`? ` : ""}Shard ids come from \`embedeval plan\` on the same config (model.task.PARTofPARTS).`,
  });
}

/** Documents [start, end) of part `part` of `parts`: consecutive ranges whose sizes differ by at most one. */
export function documentRange(
  documents: number,
  part: number,
  parts: number,
): { start: number; end: number } {
  return {
    start: Math.floor(((part - 1) * documents) / parts),
    end: Math.floor((part * documents) / parts),
  };
}

function shardId(model: string, task: string, part: number, parts: number): string {
  // Artifact names refuse " : < > | * ? \ / and control characters; keep ids to plain letters.
  const slug = (name: string) => name.replace(/[^A-Za-z0-9_-]+/g, "-");
  return `${slug(model)}.${slug(task)}.${part}of${parts}`;
}
