import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { DatasetError, type RetrievalRanking, type TaskResult } from "@embedeval/core";
import type { ShardCell } from "./shard-plan.js";

/** Written by `embedeval run --shard`, read by `embedeval merge`. */
export const shardFileFormat = "embedeval-shard/1";

export interface ShardSplit {
  split: string;
  /** The documents this shard searched: [start, end) of the corpus in file order. */
  documentRange: { start: number; end: number };
  documents: number;
  /** The dataset as the shard read it: a merge against other data is refused. */
  datasetContentHash: string;
  ranking: RetrievalRanking;
}

export interface ShardFile {
  cell: ShardCell;
  splits: ShardSplit[];
  /** A task of another type than retrieval runs whole in its cell: its finished result. */
  result?: TaskResult;
  /** Where it was read from, for messages. */
  file?: string;
}

/**
 * One JSON file per shard. A run is stored as `query id -> [[document id, score], ...]` best first:
 * each query's exact top k over the shard's range. Scores are float32 values, which JSON numbers
 * carry exactly, so the merge ranks by the very numbers one machine would have.
 */
export async function writeShardFile(directory: string, shard: ShardFile): Promise<string> {
  await mkdir(directory, { recursive: true });
  const file = join(directory, `${shard.cell.shard}.json`);
  const splits = shard.splits.map(({ ranking, ...split }) => ({
    ...split,
    ranking: {
      ...ranking,
      run: Object.fromEntries(
        [...ranking.run].map(([queryId, documents]) => [
          queryId,
          documents.map((document) => [document.id, document.score]),
        ]),
      ),
    },
  }));
  const result = shard.result ? { result: shard.result } : {};
  await writeFile(
    file,
    `${JSON.stringify({ format: shardFileFormat, cell: shard.cell, splits, ...result })}\n`,
  );
  return file;
}

/** Every shard file under `directory`, in subfolders too (download-artifact puts each artifact in its own). */
export async function readShardFiles(directory: string, cwd: string): Promise<ShardFile[]> {
  let names: string[];
  try {
    names = (await readdir(directory, { recursive: true })).filter((name) => name.endsWith(".json")).sort();
  } catch (error) {
    throw new DatasetError(
      `cannot read the shards folder ${directory}: ${(error as NodeJS.ErrnoException).code}`,
      {
        hint: "Pass the folder the shard runs wrote (`--shards`), with every shard's artifact downloaded into it.",
      },
    );
  }
  const shards: ShardFile[] = [];
  for (const name of names) {
    const file = join(directory, name);
    const shown = relative(cwd, file) || file;
    let parsed: {
      format?: unknown;
      cell?: ShardCell;
      result?: TaskResult;
      splits?: (Omit<ShardSplit, "ranking"> & {
        ranking: Omit<RetrievalRanking, "run"> & { run: Record<string, [string, number][]> };
      })[];
    };
    try {
      parsed = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      throw new DatasetError(`not a shard file: ${(error as Error).message}`, {
        file: shown,
        hint: "Shard files are written by `embedeval run --shard`; download them unchanged.",
      });
    }
    if (parsed.format !== shardFileFormat || !parsed.cell || !Array.isArray(parsed.splits)) {
      throw new DatasetError(`not a shard file of format ${shardFileFormat}`, {
        file: shown,
        hint: "Merge only what `embedeval run --shard` wrote, with the same embedeval version.",
      });
    }
    shards.push({
      cell: parsed.cell,
      file: shown,
      ...(parsed.result ? { result: parsed.result } : {}),
      splits: parsed.splits.map((split) => ({
        ...split,
        ranking: {
          ...split.ranking,
          run: new Map(
            Object.entries(split.ranking.run).map(([queryId, documents]) => [
              queryId,
              documents.map(([id, score]) => ({ id, score })),
            ]),
          ),
        },
      })),
    });
  }
  return shards;
}
