/**
 * Deterministic stand-in vectors for the local servers. They are feature-hashed bags of words, not
 * random noise: texts that share words get similar vectors, so a retrieval run against the fake server
 * produces a meaningful (if modest) ranking, and the same text always gets the same vector.
 */
import { createHash } from "node:crypto";

/** A stable 32-bit hash of a string (the first four bytes of its SHA-1): enough to spread words over buckets. */
function hash32(text: string): number {
  return createHash("sha1").update(text).digest().readUInt32LE(0);
}

const tokenPattern = /[\p{L}\p{N}]+/gu;

/** Lower-cased word tokens; also what the servers count as "tokens" when they report usage. */
export function fakeTokens(text: string): string[] {
  return text.toLowerCase().match(tokenPattern) ?? [];
}

/** A stable token count: the number of words, at least one for any non-empty text. */
export function fakeTokenCount(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, fakeTokens(text).length);
}

export interface FakeEmbeddingOptions {
  /** Scale to unit length (what most providers do). When false the norm is deliberately not 1. */
  normalize: boolean;
}

export function fakeEmbedding(text: string, dimensions: number, options: FakeEmbeddingOptions): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const token of fakeTokens(text)) {
    const hash = hash32(token);
    // Two buckets per token with independent signs keep collisions from cancelling whole words.
    vector[hash % dimensions] = (vector[hash % dimensions] ?? 0) + (hash & 1 ? 1 : -1);
    const second = hash32(`${token}#`);
    vector[second % dimensions] = (vector[second % dimensions] ?? 0) + (second & 1 ? 0.5 : -0.5);
  }
  // A small text-specific component so empty or punctuation-only texts still get a non-zero vector.
  let state = hash32(text) || 1;
  for (let index = 0; index < dimensions; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    vector[index] = (vector[index] ?? 0) + ((state >>> 0) / 0xffffffff - 0.5) * 0.01;
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  const scale = options.normalize ? 1 / norm : 0.37 / norm + 0.5;
  return vector.map((value) => value * scale);
}

/** Symmetric int8 quantisation, as Cohere's `int8` embedding type. */
export function quantizeInt8(vector: readonly number[]): number[] {
  let maximum = 0;
  for (const value of vector) maximum = Math.max(maximum, Math.abs(value));
  const scale = maximum === 0 ? 0 : 127 / maximum;
  return vector.map((value) => Math.max(-128, Math.min(127, Math.round(value * scale))));
}

/** Sign bits packed eight to a byte, most significant bit first (numpy.packbits order), as Cohere `binary`/`ubinary`. */
export function packSignBits(vector: readonly number[], signed: boolean): number[] {
  const bytes: number[] = [];
  for (let start = 0; start < vector.length; start += 8) {
    let byte = 0;
    for (let bit = 0; bit < 8; bit++) byte = (byte << 1) | ((vector[start + bit] ?? 0) > 0 ? 1 : 0);
    bytes.push(signed && byte > 127 ? byte - 256 : byte);
  }
  return bytes;
}
