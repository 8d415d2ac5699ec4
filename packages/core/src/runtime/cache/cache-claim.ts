import { randomBytes } from "node:crypto";
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

/**
 * One run at a time embeds into a cache namespace. Two runs sharing a cache (two shells, two CI jobs on
 * one runner) that both miss the same texts would otherwise both pay for them; with the claim the second
 * waits, then reads what the first wrote and pays only for what is still missing.
 *
 * The claim is a file, `embedding.lock`, created atomically with its content (written beside, then
 * hard-linked into place, which fails if it exists) naming the process, its host and a random token.
 * A claim is stale, and taken over, when its process is gone: on the same host, a pid that no longer
 * exists (or our own pid with a token this process no longer holds); on another host sharing the
 * folder, a file not touched for five minutes (the holder touches it as it writes).
 */
export interface ClaimOptions {
  /** Aborts the wait (Ctrl-C). */
  signal?: AbortSignal;
  /** How to wait between looks at the claim: the runtime's clock. */
  sleep: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** Called once when the claim is held by another run, with who holds it. */
  onWait?: (owner: string) => void;
  /** Between looks, in milliseconds. Default 100. */
  pollMilliseconds?: number;
}

export interface CacheClaim {
  /** True when another run held the claim first: what it wrote should be read before embedding. */
  waited: boolean;
  release(): void;
}

interface ClaimContent {
  pid: number;
  host: string;
  token: string;
}

const claimFile = "embedding.lock";
const otherHostStaleMilliseconds = 5 * 60 * 1000;
const touchIntervalMilliseconds = 30 * 1000;
/** Claims this process holds, by token, to tell them from claims a killed process with our pid left. */
const liveTokens = new Set<string>();
/** Last touch of each claim this process holds, by namespace folder. */
const lastTouch = new Map<string, number>();

export async function claimNamespace(folder: string, options: ClaimOptions): Promise<CacheClaim> {
  const path = join(folder, claimFile);
  const token = randomBytes(8).toString("hex");
  const content: ClaimContent = { pid: process.pid, host: hostname(), token };
  let waited = false;
  for (;;) {
    if (options.signal?.aborted) throw options.signal.reason;
    const created = tryCreate(folder, path, content);
    if (created === "unwritable") return { waited, release: () => {} };
    if (created === "created") {
      liveTokens.add(token);
      lastTouch.set(folder, Date.now());
      return {
        waited,
        release: () => {
          liveTokens.delete(token);
          lastTouch.delete(folder);
          // Only our own claim is removed: one judged stale and taken over is no longer ours.
          const current = readClaim(path);
          if (typeof current === "object" && current.token === token) tryUnlink(path);
        },
      };
    }
    const holder = readClaim(path);
    if (holder === "gone") continue;
    if (holder !== undefined && isStale(path, holder)) {
      tryUnlink(path);
      continue;
    }
    if (!waited) {
      waited = true;
      options.onWait?.(
        holder
          ? `process ${holder.pid} on ${holder.host === content.host ? "this machine" : holder.host}`
          : "another run",
      );
    }
    await options.sleep(options.pollMilliseconds ?? 100, options.signal);
  }
}

/** Marks the claim of `folder` (if this process holds it) as alive, at most every 30 seconds. */
export function touchClaim(folder: string): void {
  const last = lastTouch.get(folder);
  if (last === undefined || Date.now() - last < touchIntervalMilliseconds) return;
  lastTouch.set(folder, Date.now());
  try {
    const now = new Date();
    utimesSync(join(folder, claimFile), now, now);
  } catch {
    // Gone or read-only: the claim only ever saves money, it never guards correctness.
  }
}

function tryCreate(folder: string, path: string, content: ClaimContent): "created" | "exists" | "unwritable" {
  const temporary = join(folder, `embedding.lock.${content.token}.tmp`);
  try {
    mkdirSync(folder, { recursive: true });
    const descriptor = openSync(temporary, "wx");
    try {
      writeSync(descriptor, JSON.stringify(content));
    } finally {
      closeSync(descriptor);
    }
  } catch {
    return "unwritable"; // a read-only cache: reading it still works, just without taking turns
  }
  try {
    linkSync(temporary, path);
    return "created";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EEXIST" ? "exists" : "unwritable";
  } finally {
    tryUnlink(temporary);
  }
}

/** The claim's content; "gone" when released meanwhile; undefined when unreadable. */
function readClaim(path: string): ClaimContent | "gone" | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<ClaimContent>;
    if (
      typeof parsed.pid === "number" &&
      typeof parsed.host === "string" &&
      typeof parsed.token === "string"
    ) {
      return { pid: parsed.pid, host: parsed.host, token: parsed.token };
    }
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : undefined;
  }
}

function isStale(path: string, holder: ClaimContent): boolean {
  if (holder.host !== hostname()) {
    try {
      return Date.now() - statSync(path).mtimeMs > otherHostStaleMilliseconds;
    } catch {
      return true;
    }
  }
  if (holder.pid === process.pid) return !liveTokens.has(holder.token);
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
