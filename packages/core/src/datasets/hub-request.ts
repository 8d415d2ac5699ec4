/**
 * One request to the hub or its CDN, the way huggingface_hub makes them: retried with backoff on network
 * errors, 429 (honouring Retry-After) and 5xx; the hub's `X-Error-Code` header (RepoNotFound,
 * RevisionNotFound, EntryNotFound, GatedRepo) turned into an error that says what is missing and what to
 * do. Redirects are never followed here: the caller reads the hub's 302 first (it carries the file's
 * sha256 and size) and decides where the token may go.
 */
import { DatasetError } from "@embedeval/provider-contract";
import { backoffDelay } from "../runtime/retry-backoff.js";
import { systemClock } from "../runtime/runtime-clock.js";
import type { HubRepositoryType } from "./hub-names.js";

export interface HubRequestSettings {
  /** Attempts on 5xx, 429 and network errors, first included. Default 4. */
  attempts?: number;
  /** Delay before the first retry; doubled each time (full jitter). Default 1000 ms. */
  retryDelayMilliseconds?: number;
  signal?: AbortSignal;
}

export interface HubRequest {
  url: string;
  /** What is fetched, for messages: "mteb/scifact@main: corpus.jsonl". */
  subject: string;
  /** The repository id, for hints. */
  repository: string;
  /** Default "dataset". */
  repositoryType?: HubRepositoryType | undefined;
  /** Sent as a bearer token; omit for another origin (the CDN). */
  token?: string | undefined;
  /** Where the token came from, for hints. */
  tokenSource?: string | undefined;
  headers?: Record<string, string>;
  /** The request goes to the CDN the hub redirected to, not to the hub. */
  cdn?: boolean;
}

const retryable = (status: number) => status === 429 || status >= 500;

/**
 * The hub could not be reached or kept failing (network errors, 5xx, 429 after every attempt): the one
 * case where a dataset already in the cache is read instead, as huggingface_hub does.
 */
export class HubUnreachableError extends DatasetError {}

/** The response (2xx, 206 or a 3xx redirect). Throws DatasetError for everything else. */
export async function hubRequest(request: HubRequest, settings: HubRequestSettings): Promise<Response> {
  const attempts = Math.max(1, settings.attempts ?? 4);
  const backoff = {
    baseDelayMilliseconds: settings.retryDelayMilliseconds ?? 1000,
    maxDelayMilliseconds: 60_000,
  };
  const headers: Record<string, string> = { "user-agent": "embedeval", ...request.headers };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  let problem = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    settings.signal?.throwIfAborted();
    let response: Response;
    try {
      response = await fetch(request.url, {
        headers,
        redirect: "manual",
        ...(settings.signal ? { signal: settings.signal } : {}),
      });
    } catch (error) {
      if (settings.signal?.aborted) throw settings.signal.reason;
      problem = networkProblem(error);
      if (attempt < attempts) {
        await systemClock.sleep(backoffDelay(attempt, backoff, Math.random), settings.signal);
        continue;
      }
      throw new HubUnreachableError(
        `Cannot reach ${new URL(request.url).origin} for ${request.subject} (${problem}).`,
        {
          file: request.url,
          hint: "Check the network and HF_ENDPOINT. A dataset whose files are all in the cache is read from it when the hub cannot be reached (HF_HUB_OFFLINE=1 skips the attempt).",
          cause: error,
        },
      );
    }
    if (response.ok || (response.status >= 300 && response.status < 400)) return response;
    await response.body?.cancel();
    if (retryable(response.status)) {
      problem = `HTTP ${response.status}`;
      if (attempt < attempts) {
        const floor = retryAfterMilliseconds(response.headers.get("retry-after"));
        await systemClock.sleep(backoffDelay(attempt, backoff, Math.random, floor), settings.signal);
        continue;
      }
      throw new HubUnreachableError(
        `The hub kept failing for ${request.subject}: ${problem} after ${attempts} attempts.`,
        { file: request.url, hint: "The hub or its CDN is having trouble; run again later." },
      );
    }
    throw refusal(request, response);
  }
  throw new DatasetError(`Request failed for ${request.subject}: ${problem}.`, { file: request.url });
}

/** The error for a 4xx answer, from the hub's X-Error-Code as huggingface_hub maps it. */
function refusal(request: HubRequest, response: Response): DatasetError {
  const code = response.headers.get("x-error-code") ?? "";
  const serverMessage = response.headers.get("x-error-message");
  const kind = request.repositoryType ?? "dataset";
  const page = `https://huggingface.co/${kind === "dataset" ? "datasets/" : ""}${request.repository}`;
  const said = serverMessage ? ` The hub says: ${serverMessage}` : "";
  const tokenHint = request.tokenSource
    ? `The token from ${request.tokenSource} has no access: accept the ${kind}'s terms at ${page} with its account, or use another token.`
    : "Set HF_TOKEN (or log in with `hf auth login`) to a token with read access: https://huggingface.co/settings/tokens.";
  if (request.cdn) {
    return new DatasetError(`The CDN refused ${request.subject} (HTTP ${response.status}).`, {
      file: request.url,
      hint: "The hub's download link may have expired or been altered by a proxy; run again.",
    });
  }
  if (code === "RevisionNotFound") {
    return new DatasetError(`The hub has no such revision for ${request.subject}.${said}`, {
      file: request.url,
      hint: `Check \`revision:\` (a branch, tag or full commit) against ${page}/tree/main.`,
    });
  }
  if (code === "EntryNotFound") {
    return new DatasetError(`The hub has no such file: ${request.subject}.${said}`, {
      file: request.url,
      hint: `Check the file list at ${page}/tree/main; the revision may predate or postdate the file.`,
    });
  }
  if (code === "RepoNotFound" || (response.status === 404 && code === "")) {
    return new DatasetError(
      `The hub has no ${kind} ${request.repository} (or it is private): ${request.subject}.${said}`,
      {
        file: request.url,
        hint: `Check the name at ${page}. ${tokenHint}`,
      },
    );
  }
  if (response.status === 401 || response.status === 403 || code === "GatedRepo") {
    return new DatasetError(
      `The hub refused ${request.subject} (HTTP ${response.status}${code ? `, ${code}` : ""}): the ${kind} is gated or private.${said}`,
      { file: request.url, hint: tokenHint },
    );
  }
  return new DatasetError(`Unexpected answer HTTP ${response.status} for ${request.subject}.${said}`, {
    file: request.url,
    hint: "Check HF_ENDPOINT if it is set; it must point at a hub (https://huggingface.co).",
  });
}

/** Retry-After in seconds or as an HTTP date, capped at a minute. */
export function retryAfterMilliseconds(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const milliseconds = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(milliseconds) && milliseconds > 0 ? Math.min(milliseconds, 60_000) : undefined;
}

export function networkProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}
