import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type EmbeddingProvider,
  type EmbedRequest,
  type InputType,
  providerSpecificationVersion,
} from "@embedeval/provider-contract";
import type { EvaluatedModel } from "../src/tasks/evaluated-model.js";

/**
 * Reads one of MTEB's task-type fixtures (test/fixtures/mteb-task-types, see its README): the dataset, a
 * float32 vector per encoded text, and the scores MTEB 2.20 writes. The string "NaN" stands for MTEB's bare
 * NaN; it is turned back into a number here.
 */
export interface MtebTaskFixture {
  task_type: string;
  parameters: Record<string, unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: each task type has its own input columns
  inputs: any;
  vectors: Record<string, number[]>;
  query_vectors?: Record<string, number[]>;
  expected: { unrounded: Record<string, unknown>; rounded: Record<string, unknown> };
  // biome-ignore lint/suspicious/noExplicitAny: debugging data, per type
  intermediate?: any;
}

export function readMtebTaskFixture(name: string): MtebTaskFixture {
  const text = readFileSync(join(import.meta.dirname, "fixtures", "mteb-task-types", `${name}.json`), "utf8");
  return JSON.parse(text, (_key, value) => (value === "NaN" ? Number.NaN : value)) as MtebTaskFixture;
}

/** The float32 vector MTEB's encoder returned for a text (a missing text is a test failure). */
export function fixtureVector(vectors: Record<string, number[]>, text: string): Float32Array {
  const vector = vectors[text];
  if (vector === undefined) throw new Error(`the fixture has no vector for ${JSON.stringify(text)}`);
  return Float32Array.from(vector);
}

/** Compares every numeric key of MTEB's dict with ours within a tolerance (NaN must match NaN). */
export function metricDifferences(
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  tolerance: number,
): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(expected)) {
    if (typeof value !== "number") continue;
    const got = actual[key];
    if (typeof got !== "number") problems.push(`${key}: missing (expected ${value})`);
    else if (Number.isNaN(value) ? !Number.isNaN(got) : !(Math.abs(got - value) <= tolerance)) {
      problems.push(`${key}: ${got} (expected ${value})`);
    }
  }
  return problems;
}

/**
 * A provider that answers with the fixture's vectors (a text the fixture lacks is an error) and records
 * every call, so a task test runs the real runtime and checks what was sent and with which input type.
 */
export function fixtureProvider(vectors: Record<string, number[]>): EmbeddingProvider & {
  calls: { texts: string[]; inputType: InputType }[];
} {
  const calls: { texts: string[]; inputType: InputType }[] = [];
  return {
    specificationVersion: providerSpecificationVersion,
    provider: "fixture",
    modelId: "mteb-fixture",
    capabilities: { maxInputsPerCall: 64, normalized: false, supportsParallelCalls: false },
    vectorOptions: {},
    calls,
    async embed(request: EmbedRequest) {
      calls.push({ texts: [...request.texts], inputType: request.inputType });
      return {
        embeddings: request.texts.map((text) => fixtureVector(vectors, text)),
        usage: { tokens: 0, source: "estimated" as const },
      };
    },
  };
}

export const fixtureModel: EvaluatedModel = {
  id: "fixture-model",
  provider: "fixture",
  model: "mteb-fixture",
  similarity: "cosine",
  queryPrefix: "query: ",
  documentPrefix: "passage: ",
  revision: "no_revision_available",
  runtime: { maxConcurrency: 1, timeoutSeconds: 30, maxRetries: 0 },
};
