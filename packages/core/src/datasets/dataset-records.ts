/**
 * The rows of a dataset file, whatever its format: JSON lines (maybe gzipped) or parquet for the corpus
 * and queries; TSV (BEIR, with a header row), JSON lines or parquet for qrels. Each row keeps its
 * position (line or row number) for error messages; the stored bytes feed an optional content hash.
 */

import type { Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { DatasetError } from "@embedeval/provider-contract";
import { parseRelevanceGrade } from "../trec/relevance-grade.js";
import { readParquetRows } from "./parquet-rows.js";
import { type JsonRecord, readJsonLineBatches, readLineBatches } from "./read-lines.js";

export interface RecordReading {
  hash?: Hash;
  signal?: AbortSignal;
  /** For parquet: columns checked before any row is read (alternatives per entry). */
  requiredColumns?: readonly (readonly string[])[];
}

export function isParquet(file: string): boolean {
  return file.endsWith(".parquet");
}

/** Objects of a JSON lines or parquet file; `lineNumber` is the row number for parquet. */
export async function* readRecords(file: string, reading: RecordReading = {}): AsyncGenerator<JsonRecord> {
  for await (const batch of readRecordBatches(file, reading)) yield* batch;
}

/**
 * The objects of `readRecords`, in batches: a JSON lines file a batch per block read, so that a large
 * corpus does not pay an async generator step per record per layer (readLineBatches).
 */
export async function* readRecordBatches(
  file: string,
  reading: RecordReading = {},
): AsyncGenerator<JsonRecord[]> {
  if (!isParquet(file)) {
    yield* readJsonLineBatches(file, {
      ...(reading.hash ? { hash: reading.hash } : {}),
      ...(reading.signal ? { signal: reading.signal } : {}),
    });
    return;
  }
  if (reading.hash) {
    // The stored bytes, as for the other formats (not the decoded rows), so the hash names the file.
    for await (const chunk of createReadStream(file)) reading.hash.update(chunk as Buffer);
  }
  for await (const { value, rowNumber } of readParquetRows(file, reading))
    yield [{ value, lineNumber: rowNumber }];
}

export interface Judgment {
  queryId: string;
  documentId: string;
  grade: number;
  lineNumber: number;
}

/**
 * The judgments of a qrels file. A record without `score` counts as relevant (1), as NanoBEIR's qrels
 * have none and MTEB reads them that way.
 */
export async function* readJudgments(file: string, reading: RecordReading = {}): AsyncGenerator<Judgment> {
  if (/\.tsv(\.gz)?$/.test(file)) {
    yield* readTsvJudgments(file, reading);
    return;
  }
  const records = readRecords(file, { ...reading, requiredColumns: [["query-id"], ["corpus-id"]] });
  for await (const { value, lineNumber } of records) {
    const queryId = identifier(value["query-id"]);
    const documentId = identifier(value["corpus-id"]);
    if (queryId === undefined || documentId === undefined) {
      throw new DatasetError('A qrels record needs "query-id" and "corpus-id".', {
        file,
        line: lineNumber,
        hint: `Fields present: ${Object.keys(value).join(", ")}.`,
      });
    }
    const score = value.score;
    const grade =
      score === undefined || score === null
        ? 1
        : parseRelevanceGrade(typeof score === "bigint" ? String(score) : String(score));
    if (grade === undefined) {
      throw new DatasetError(`Score must be an integer grade, got ${JSON.stringify(score)}.`, {
        file,
        line: lineNumber,
        hint: "Relevance grades are whole numbers such as 0, 1, 2.",
      });
    }
    yield { queryId, documentId, grade, lineNumber };
  }
}

/** A string id, or a finite number (or bigint, from parquet int64) as its decimal string. */
export function identifier(value: unknown): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return value.toString();
  return undefined;
}

async function* readTsvJudgments(file: string, reading: RecordReading): AsyncGenerator<Judgment> {
  const options = {
    ...(reading.hash ? { hash: reading.hash } : {}),
    ...(reading.signal ? { signal: reading.signal } : {}),
  };
  for await (const lines of readLineBatches(file, options)) {
    for (const { line, lineNumber } of lines) {
      if (line.trim() === "") continue;
      const columns = line.split("\t");
      if (columns.length !== 3) {
        throw new DatasetError(
          `Expected 3 tab-separated columns (query-id, corpus-id, score), got ${columns.length}.`,
          {
            file,
            line: lineNumber,
            hint:
              columns.length === 1 && line.includes(" ")
                ? "Columns are separated by spaces; BEIR qrels use tabs."
                : "Write each judgment as `query-id<TAB>corpus-id<TAB>score`.",
          },
        );
      }
      const [queryId = "", documentId = "", scoreText = ""] = columns.map((column) => column.trim());
      const grade = parseRelevanceGrade(scoreText);
      // BEIR's loader always skips the first row as the header; we skip it only when it is not a
      // judgment, so a headerless file does not silently lose its first line.
      if (lineNumber === 1 && grade === undefined) continue;
      if (grade === undefined) {
        throw new DatasetError(`Score must be an integer grade, got "${scoreText}".`, {
          file,
          line: lineNumber,
          hint: "Relevance grades are whole numbers such as 0, 1, 2.",
        });
      }
      if (queryId === "" || documentId === "") {
        throw new DatasetError("Empty query-id or corpus-id.", { file, line: lineNumber });
      }
      yield { queryId, documentId, grade, lineNumber };
    }
  }
}
