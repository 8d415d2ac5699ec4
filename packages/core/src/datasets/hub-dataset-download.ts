/**
 * Downloads a Hugging Face hub dataset stored in BEIR file layout (corpus.jsonl, queries.jsonl,
 * qrels/<split>.tsv; any of them may be gzipped) into a cache folder that `loadBeirFolder` reads:
 *
 *   <cacheDirectory>/<owner>/<name>/<revision>/corpus.jsonl ...
 *
 * Files come from the hub's "resolve" URLs, the layout huggingface_hub uses
 * (https://huggingface.co/docs/huggingface_hub/guides/download):
 *
 *   {endpoint}/datasets/{repo_id}/resolve/{revision}/{path_in_repo}
 *
 * The endpoint is HF_ENDPOINT when set (mirrors, tests), the token HF_TOKEN, sent as a bearer token.
 * A file already in the cache folder is never fetched again, so a run works offline once the files are
 * there (downloaded before, or copied in by hand). Each file is written to a temporary name and renamed
 * when complete, so an interrupted download never leaves a truncated file that a later run would trust.
 */

import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DatasetError } from "@embedeval/provider-contract";
import { backoffDelay } from "../runtime/retry-backoff.js";
import { systemClock } from "../runtime/runtime-clock.js";
import { readJsonLines } from "./read-lines.js";

export const defaultHubEndpoint = "https://huggingface.co";

export interface HubDatasetDownloadOptions {
  /** Hub dataset id, `owner/name`. */
  repository: string;
  /** Branch, tag or commit; a branch such as `main` is cached under its name and not refreshed. */
  revision: string;
  /** Splits whose qrels to fetch. */
  splits: readonly string[];
  /** Folder under which `<owner>/<name>/<revision>/` is created, e.g. `<cache>/datasets`. */
  cacheDirectory: string;
  /** Reads HF_ENDPOINT and HF_TOKEN. Defaults to process.env. */
  environment?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** One line per file fetched (never contains the token). */
  onProgress?: (line: string) => void;
  /** Attempts per file on 5xx, 429 and network errors, first included. Default 4. */
  attempts?: number;
  /** Delay before the first retry; doubled each time. Default 1000 ms. */
  retryDelayMilliseconds?: number;
}

export interface HubDatasetFolder {
  /** The BEIR folder to pass to loadBeirFolder. */
  folder: string;
  /** Paths in the repository fetched by this call (empty when everything was cached). */
  downloaded: string[];
}

/** `{endpoint}/datasets/{repo_id}/resolve/{revision}/{path}`, each part URL-encoded as huggingface_hub does. */
export function hubFileUrl(
  endpoint: string,
  repository: string,
  revision: string,
  pathInRepository: string,
): string {
  const base = endpoint.replace(/\/+$/, "");
  const encodedPath = pathInRepository.split("/").map(encodeURIComponent).join("/");
  return `${base}/datasets/${repository}/resolve/${encodeURIComponent(revision)}/${encodedPath}`;
}

const repositoryPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The cache folder of one repository revision. The revision is encoded so `refs/pr/1` stays one folder. */
export function hubDatasetFolder(cacheDirectory: string, repository: string, revision: string): string {
  checkRepository(repository);
  return join(cacheDirectory, ...repository.split("/"), encodeURIComponent(revision));
}

function checkRepository(repository: string): void {
  if (!repositoryPattern.test(repository) || repository.includes("..")) {
    throw new DatasetError(`"${repository}" is not a hub dataset id.`, {
      hint: 'Use the form owner/name, as in the dataset\'s address: https://huggingface.co/datasets/mteb/scifact -> "mteb/scifact".',
    });
  }
}

/** One file the folder needs, with the names it may have in the repository, preferred first. */
interface WantedFile {
  role: string;
  candidates: string[];
}

function wantedFiles(splits: readonly string[]): WantedFile[] {
  return [
    { role: "corpus", candidates: ["corpus.jsonl", "corpus.jsonl.gz"] },
    { role: "queries", candidates: ["queries.jsonl", "queries.jsonl.gz"] },
    ...splits.map((split) => ({
      role: `qrels for split "${split}"`,
      // Some repositories (mteb/* among them) also or only hold qrels as JSON lines; those are
      // converted to the TSV the BEIR loader reads.
      candidates: [`qrels/${split}.tsv`, `qrels/${split}.tsv.gz`, `qrels/${split}.jsonl`],
    })),
  ];
}

/**
 * Makes sure the cache folder holds the corpus, the queries and each split's qrels, fetching what is
 * missing. Returns the folder for loadBeirFolder; its contentHash covers the bytes of those files.
 */
export async function downloadHubDataset(options: HubDatasetDownloadOptions): Promise<HubDatasetFolder> {
  const { repository, revision, splits, signal } = options;
  const folder = hubDatasetFolder(options.cacheDirectory, repository, revision);
  const environment = options.environment ?? process.env;
  const endpoint = environment.HF_ENDPOINT || defaultHubEndpoint;
  const token = environment.HF_TOKEN || undefined;
  const downloaded: string[] = [];

  for (const wanted of wantedFiles(splits)) {
    if (await cachedCandidate(folder, wanted)) continue;
    const tried: string[] = [];
    let found = false;
    for (const candidate of wanted.candidates) {
      signal?.throwIfAborted();
      const url = hubFileUrl(endpoint, repository, revision, candidate);
      tried.push(candidate);
      const target = join(
        folder,
        candidate.endsWith(".jsonl") && candidate.startsWith("qrels/") ? `${candidate}.download` : candidate,
      );
      const outcome = await fetchToFile(url, target, { ...options, token, endpoint, candidate, folder });
      if (outcome === "missing") continue;
      if (candidate.startsWith("qrels/") && candidate.endsWith(".jsonl")) {
        await convertJsonLinesQrels(target, join(folder, candidate.replace(/\.jsonl$/, ".tsv")));
      }
      options.onProgress?.(
        `downloaded ${repository}@${revision}: ${candidate} (${formatBytes(outcome.bytes)})`,
      );
      downloaded.push(candidate);
      found = true;
      break;
    }
    if (!found) {
      throw new DatasetError(
        `The hub dataset ${repository} at revision "${revision}" has no ${wanted.role}: tried ${tried.join(", ")}.`,
        {
          file: hubFileUrl(endpoint, repository, revision, tried[0] ?? ""),
          hint: `Check the dataset name (https://huggingface.co/datasets/${repository}), the revision and the split name; the repository must hold BEIR files (corpus.jsonl, queries.jsonl, qrels/<split>.tsv). For a gated or private dataset, set HF_TOKEN.`,
        },
      );
    }
  }
  return { folder, downloaded };
}

async function cachedCandidate(folder: string, wanted: WantedFile): Promise<boolean> {
  for (const candidate of wanted.candidates) {
    // A converted JSON-lines qrels file is cached under its .tsv name, which is also a candidate.
    if (candidate.endsWith(".jsonl") && candidate.startsWith("qrels/")) continue;
    if (await isFile(join(folder, candidate))) return true;
  }
  return false;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

interface FetchContext extends HubDatasetDownloadOptions {
  token: string | undefined;
  endpoint: string;
  candidate: string;
  folder: string;
}

const retryableStatus = (status: number) => status === 429 || status >= 500;

/** Downloads one URL into `target` (atomically); "missing" on 404. Throws DatasetError otherwise. */
async function fetchToFile(
  url: string,
  target: string,
  context: FetchContext,
): Promise<"missing" | { bytes: number }> {
  const attempts = Math.max(1, context.attempts ?? 4);
  // The runtime's backoff (full jitter; Retry-After as a floor), from a 1 s base for a whole file.
  const baseDelay = context.retryDelayMilliseconds ?? 1000;
  const backoff = { baseDelayMilliseconds: baseDelay, maxDelayMilliseconds: 60_000 };
  const headers: Record<string, string> = { "user-agent": "embedeval" };
  if (context.token) headers.authorization = `Bearer ${context.token}`;
  let lastProblem = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    context.signal?.throwIfAborted();
    let response: Response;
    try {
      // fetch follows redirects itself: the hub answers 302 to its CDN for LFS and Xet files.
      response = await fetch(url, {
        headers,
        redirect: "follow",
        ...(context.signal ? { signal: context.signal } : {}),
      });
    } catch (error) {
      if (context.signal?.aborted) throw context.signal.reason;
      lastProblem = networkProblem(error);
      if (attempt < attempts) {
        await systemClock.sleep(backoffDelay(attempt, backoff, Math.random), context.signal);
        continue;
      }
      throw new DatasetError(
        `Cannot reach ${context.endpoint} to download ${context.repository}@${context.revision}: ${context.candidate} (${lastProblem}).`,
        {
          hint: `The first run of a hub task needs network access; later runs read the cache. Offline, copy the dataset's files (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) into ${context.folder}.`,
          cause: error,
        },
      );
    }
    if (response.status === 404) {
      await response.body?.cancel();
      // The hub says which part is missing (the codes huggingface_hub maps to its error classes): a
      // missing repository or revision ends the search at once; a missing file lets the next name be tried.
      const errorCode = response.headers.get("x-error-code");
      if (errorCode === "RepoNotFound" || errorCode === "RevisionNotFound") {
        const missing =
          errorCode === "RepoNotFound" ? "no dataset named" : `no revision "${context.revision}" of`;
        throw new DatasetError(`The hub has ${missing} ${context.repository}.`, {
          file: url,
          hint: `Check the name and revision at https://huggingface.co/datasets/${context.repository} (revision: a branch, tag or commit). A private dataset needs HF_TOKEN.`,
        });
      }
      return "missing";
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new DatasetError(
        `The hub refused ${context.repository}@${context.revision}: ${context.candidate} (HTTP ${response.status}).`,
        {
          file: url,
          hint: context.token
            ? `HF_TOKEN is set but has no access: accept the dataset's terms at https://huggingface.co/datasets/${context.repository} with the token's account, or check the dataset name.`
            : `The dataset is gated, private or does not exist. Check the name; for a gated or private dataset set HF_TOKEN to a token with read access (https://huggingface.co/settings/tokens).`,
        },
      );
    }
    if (retryableStatus(response.status)) {
      await response.body?.cancel();
      lastProblem = `HTTP ${response.status}`;
      if (attempt < attempts) {
        await systemClock.sleep(
          backoffDelay(attempt, backoff, Math.random, retryAfterMilliseconds(response)),
          context.signal,
        );
        continue;
      }
      throw new DatasetError(
        `The hub kept failing for ${context.repository}@${context.revision}: ${context.candidate} (${lastProblem} after ${attempts} attempts).`,
        { file: url, hint: "The hub or its CDN is having trouble; run again later." },
      );
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new DatasetError(
        `Unexpected answer HTTP ${response.status} for ${context.repository}@${context.revision}: ${context.candidate}.`,
        {
          file: url,
          hint: "Check HF_ENDPOINT if it is set; it must point at a hub (https://huggingface.co).",
        },
      );
    }
    try {
      context.onProgress?.(`downloading ${context.repository}@${context.revision}: ${context.candidate}`);
      return await writeBody(response, target, context.signal);
    } catch (error) {
      if (context.signal?.aborted) throw context.signal.reason;
      if (error instanceof DatasetError) throw error;
      lastProblem = networkProblem(error);
      if (attempt < attempts) {
        await systemClock.sleep(backoffDelay(attempt, backoff, Math.random), context.signal);
        continue;
      }
      throw new DatasetError(
        `Download of ${context.repository}@${context.revision}: ${context.candidate} broke off (${lastProblem}).`,
        {
          file: url,
          hint: "Run again; files already complete in the cache are not fetched again.",
          cause: error,
        },
      );
    }
  }
  throw new DatasetError(`Download failed: ${lastProblem}.`);
}

/** Streams the body to a temporary file, checks its length and sha256 when the server states them, renames. */
async function writeBody(
  response: Response,
  target: string,
  signal: AbortSignal | undefined,
): Promise<{ bytes: number }> {
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.${Date.now()}.partial`;
  const hash = createHash("sha256");
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  try {
    const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
    await pipeline(body, counter, createWriteStream(temporary), ...(signal ? [{ signal }] : []));
    // With Content-Encoding, fetch hands over decoded bytes, so Content-Length (encoded) cannot be compared.
    const declaredLength = response.headers.get("content-encoding")
      ? null
      : response.headers.get("content-length");
    if (declaredLength !== null && Number(declaredLength) !== bytes) {
      throw new DatasetError(
        `Truncated download: ${bytes} of ${declaredLength} bytes from ${response.url}.`,
        {
          hint: "Run again; the partial file was discarded.",
        },
      );
    }
    // The hub states an LFS file's sha256 in X-Linked-Etag (ETag after the CDN redirect).
    const digest = hash.digest("hex");
    const stated = statedSha256(response.headers);
    if (stated && stated !== digest) {
      throw new DatasetError(
        `Checksum mismatch for ${response.url}: got sha256 ${digest}, the hub states ${stated}.`,
        {
          hint: "Run again; the corrupt file was discarded.",
        },
      );
    }
    await rename(temporary, target);
    return { bytes };
  } finally {
    await rm(temporary, { force: true });
  }
}

function statedSha256(headers: Headers): string | undefined {
  for (const name of ["x-linked-etag", "etag"]) {
    const value = headers.get(name)?.replace(/^W\//, "").replace(/"/g, "");
    if (value && /^[0-9a-f]{64}$/.test(value)) return value;
  }
  return undefined;
}

/** Writes qrels given as JSON lines (`{"query-id", "corpus-id", "score"}`) as BEIR TSV with a header row. */
async function convertJsonLinesQrels(source: string, target: string): Promise<void> {
  const temporary = `${target}.${process.pid}.partial`;
  const out = createWriteStream(temporary);
  try {
    out.write("query-id\tcorpus-id\tscore\n");
    for await (const { value: record, lineNumber } of readJsonLines(source)) {
      const query = record["query-id"];
      const document = record["corpus-id"];
      const score = record.score;
      if (query === undefined || document === undefined || typeof score !== "number") {
        throw new DatasetError('A qrels line needs "query-id", "corpus-id" and a numeric "score".', {
          file: source,
          line: lineNumber,
        });
      }
      if (!out.write(`${String(query)}\t${String(document)}\t${score}\n`)) {
        await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      }
    }
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    await rename(temporary, target);
  } finally {
    out.destroy();
    await rm(temporary, { force: true });
    await rm(source, { force: true });
  }
}

/** The server's Retry-After (seconds), capped at a minute for one file. */
function retryAfterMilliseconds(response: Response): number | undefined {
  const retryAfter = Number(response.headers.get("retry-after"));
  return Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 60_000) : undefined;
}

function networkProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
