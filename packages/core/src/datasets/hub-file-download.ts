/**
 * Downloads one file of a hub dataset into huggingface_hub's cache, checked as huggingface_hub checks it:
 *
 * 1. GET {endpoint}/datasets/{repo}/resolve/{commit}/{path} without following redirects. For an LFS or
 *    Xet file the hub answers 302 to its CDN (another host) and puts the file's sha256 (`X-Linked-Etag`),
 *    its size (`X-Linked-Size`) and the commit (`X-Repo-Commit`) on that 302 only; the CDN's own ETag is
 *    a Xet hash or an S3 md5, never to be compared with the sha256.
 * 2. Follow the redirect; the token goes only to the hub's own origin, never to the CDN.
 * 3. Write into blobs/<etag>.incomplete; a broken transfer resumes from its length with `Range`.
 * 4. Check size and hash (sha256 for LFS/Xet files, the git blob sha1 of the tree listing otherwise). On a
 *    mismatch the bytes are deleted and the file fetched once more from scratch; a second mismatch is an
 *    integrity error. Only checked bytes become a blob and are linked into the snapshot.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat, truncate } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DatasetError } from "@embedeval/provider-contract";
import { downloadLockPath, withDownloadLock } from "./download-lock.js";
import {
  blobPath,
  type HubRepositoryType,
  isFile,
  isSafeRepositoryPath,
  linkIntoSnapshot,
  snapshotFolder,
} from "./hub-cache.js";
import type { HubAccess, HubTreeFile } from "./hub-repository-listing.js";
import { hubRequest, networkProblem } from "./hub-request.js";

export interface HubFileDownload {
  access: HubAccess;
  repositoryFolder: string;
  commit: string;
  file: HubTreeFile;
  onProgress?: (line: string) => void;
}

/**
 * `{endpoint}/datasets/{repo_id}/resolve/{revision}/{path}` (a model: `{endpoint}/{repo_id}/resolve/...`),
 * each part URL-encoded as huggingface_hub does.
 */
export function hubFileUrl(
  endpoint: string,
  repository: string,
  revision: string,
  pathInRepository: string,
  repositoryType: HubRepositoryType = "dataset",
): string {
  const base = endpoint.replace(/\/+$/, "");
  const encodedPath = pathInRepository.split("/").map(encodeURIComponent).join("/");
  const prefix = repositoryType === "dataset" ? "/datasets" : "";
  return `${base}${prefix}/${repository}/resolve/${encodeURIComponent(revision)}/${encodedPath}`;
}

/** A listed path and hash become cache paths: each must be what the hub's listing can hold, nothing more. */
function checkListedFile(file: HubTreeFile, repository: string): void {
  const digestOk = file.lfs ? /^[0-9a-f]{64}$/.test(file.lfs.sha256) : /^[0-9a-f]{40}$/.test(file.oid);
  if (!isSafeRepositoryPath(file.path) || !digestOk) {
    throw new DatasetError(
      `The hub's file list of ${repository} has an unsafe entry: ${JSON.stringify(file.path)} (hash ${JSON.stringify(file.lfs?.sha256 ?? file.oid)}).`,
      {
        hint: "Nothing was written. A mirror or proxy (HF_ENDPOINT) is sending a hostile listing; check it, or unset HF_ENDPOINT.",
      },
    );
  }
}

/** What the bytes must be: from the hub's 302 headers, else the tree listing. */
interface Expected {
  algorithm: "sha256" | "git-sha1";
  digest: string;
  size: number;
}

/** The file's path in the snapshot, downloading it first when the cache does not hold it. */
export async function downloadHubFile(
  download: HubFileDownload,
): Promise<{ path: string; bytes: number; fetched: boolean }> {
  const { access, repositoryFolder, commit, file } = download;
  checkListedFile(file, access.repository);
  const target = join(snapshotFolder(repositoryFolder, commit), ...file.path.split("/"));
  if (await isFile(target)) return { path: target, bytes: (await stat(target)).size, fetched: false };
  const fromTree: Expected = file.lfs
    ? { algorithm: "sha256", digest: file.lfs.sha256, size: file.lfs.size }
    : { algorithm: "git-sha1", digest: file.oid, size: file.size };
  const lock = downloadLockPath(repositoryFolder, fromTree.digest);
  return withDownloadLock(lock, () => downloadLocked(download, fromTree), {
    ...(access.signal ? { signal: access.signal } : {}),
    onWait: () =>
      download.onProgress?.(`waiting for another process downloading ${file.path} (lock ${lock})`),
  });
}

/** The download proper, holding the blob's lock: the blob may have arrived while waiting for it. */
async function downloadLocked(
  download: HubFileDownload,
  fromTree: Expected,
): Promise<{ path: string; bytes: number; fetched: boolean }> {
  const { access, repositoryFolder, commit, file } = download;
  const known = blobPath(repositoryFolder, fromTree.digest);
  if (await isFile(known)) {
    // Another commit already brought these bytes: link them, as huggingface_hub does.
    const path = await linkIntoSnapshot(repositoryFolder, commit, file.path, known);
    return { path, bytes: fromTree.size, fetched: false };
  }
  const subject = `${access.repository}@${commit.slice(0, 7)}: ${file.path}`;
  download.onProgress?.(
    `downloading ${access.repository}@${commit}: ${file.path} (${formatBytes(fromTree.size)})`,
  );
  let lastFailure = "";
  for (let pass = 1; pass <= 2; pass++) {
    const { expected, incomplete } = await transfer(download, fromTree, subject);
    const failure = await verify(incomplete, expected);
    if (failure === undefined) {
      const blob = blobPath(repositoryFolder, expected.digest);
      await rename(incomplete, blob);
      const path = await linkIntoSnapshot(repositoryFolder, commit, file.path, blob);
      download.onProgress?.(
        `downloaded ${access.repository}@${commit}: ${file.path} (${formatBytes(expected.size)})`,
      );
      return { path, bytes: expected.size, fetched: true };
    }
    // Never keep bytes that failed the check: neither as a blob nor as a start to resume from.
    await rm(incomplete, { force: true });
    lastFailure = failure;
    if (pass === 1) download.onProgress?.(`${subject}: ${failure}; downloading it again`);
  }
  throw new DatasetError(`Integrity check failed for ${subject}: ${lastFailure}, twice in a row.`, {
    file: hubFileUrl(access.endpoint, access.repository, commit, file.path, access.repositoryType),
    hint: "Nothing was cached. A proxy or mirror (HF_ENDPOINT) may be altering files; run again later, or report it to the dataset's owners if it persists.",
  });
}

/**
 * Fetches the bytes into blobs/<digest>.incomplete, resuming after a broken transfer. Returns what the
 * hub states the file must be.
 */
async function transfer(
  download: HubFileDownload,
  fromTree: Expected,
  subject: string,
): Promise<{ expected: Expected; incomplete: string }> {
  const { access, repositoryFolder, commit, file } = download;
  const attempts = Math.max(1, access.attempts ?? 4);
  let problem = "";
  // Named by the listing's hash (the blob gets the hub's stated one), so a resumed transfer finds it.
  const incomplete = `${blobPath(repositoryFolder, fromTree.digest)}.incomplete`;
  await mkdir(dirname(incomplete), { recursive: true });
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const hubUrl = hubFileUrl(access.endpoint, access.repository, commit, file.path, access.repositoryType);
    const offset = await sizeOf(incomplete);
    const { response, stated } = await requestHubFile(
      access,
      hubUrl,
      subject,
      offset > 0 ? `bytes=${offset}-` : undefined,
    );
    if (stated.commit !== undefined && stated.commit !== commit) {
      await response.body?.cancel();
      throw new DatasetError(`The hub served ${subject} from commit ${stated.commit}, not ${commit}.`, {
        file: hubUrl,
        hint: "A proxy or mirror (HF_ENDPOINT) is not serving the requested commit; check it, or unset HF_ENDPOINT.",
      });
    }
    const expected = reconcile(fromTree, stated, subject, hubUrl);
    if (offset > 0 && offset >= expected.size) {
      await response.body?.cancel();
      return { expected, incomplete };
    }
    let append = false;
    if (offset > 0 && response.status === 206) {
      const start = /bytes (\d+)-/.exec(response.headers.get("content-range") ?? "")?.[1];
      append = Number(start) === offset;
    }
    // A server that ignores Range answers 200 with the whole file: start again from byte 0.
    if (!append && offset > 0) await truncate(incomplete, 0);
    try {
      const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
      await pipeline(
        body,
        createWriteStream(incomplete, { flags: append ? "a" : "w" }),
        ...(access.signal ? [{ signal: access.signal }] : []),
      );
      return { expected, incomplete };
    } catch (error) {
      if (access.signal?.aborted) throw access.signal.reason;
      problem = networkProblem(error);
      download.onProgress?.(
        `${subject}: transfer broke off (${problem}) at ${formatBytes(await sizeOf(incomplete))}; resuming`,
      );
    }
  }
  throw new DatasetError(`Download of ${subject} kept breaking off (${problem}, ${attempts} attempts).`, {
    hint: "Run again: the bytes received are kept in the cache and the download resumes where it stopped.",
  });
}

export interface Stated {
  sha256?: string;
  size?: number;
  /** X-Repo-Commit: the commit the hub resolved the request at. */
  commit?: string;
}

/**
 * Requests a file from the hub and follows redirects by hand, reading the hub's X-Linked-* headers on the
 * way; the token goes to the hub's origin only. `range` (an HTTP Range value) is sent on every hop.
 */
export async function requestHubFile(
  access: HubAccess,
  hubUrl: string,
  subject: string,
  range: string | undefined,
): Promise<{ response: Response; stated: Stated }> {
  const hubOrigin = new URL(access.endpoint).origin;
  const stated: Stated = {};
  let url = hubUrl;
  for (let hop = 0; hop < 10; hop++) {
    const sameOrigin = new URL(url).origin === hubOrigin;
    const response = await hubRequest(
      {
        url,
        subject,
        repository: access.repository,
        repositoryType: access.repositoryType,
        token: sameOrigin ? access.token : undefined,
        tokenSource: access.tokenSource,
        cdn: !sameOrigin,
        // huggingface_hub asks for identity so the stated size is the size received.
        headers: { "accept-encoding": "identity", ...(range ? { range } : {}) },
      },
      access,
    );
    const linkedEtag = normalizeEtag(response.headers.get("x-linked-etag"));
    const linkedSize = response.headers.get("x-linked-size");
    if (linkedEtag && stated.sha256 === undefined) stated.sha256 = linkedEtag;
    if (linkedSize && stated.size === undefined) stated.size = Number(linkedSize);
    const repoCommit = response.headers.get("x-repo-commit");
    if (repoCommit && stated.commit === undefined) stated.commit = repoCommit;
    if (response.status < 300 || response.status >= 400) return { response, stated };
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (!location) throw new DatasetError(`The hub redirected ${subject} without a Location.`, { file: url });
    url = new URL(location, url).toString();
  }
  throw new DatasetError(`Too many redirects for ${subject}.`, { file: hubUrl });
}

/** The hub's 302 headers win; the tree listing is the second source. Disagreement is an error. */
function reconcile(fromTree: Expected, stated: Stated, subject: string, url: string): Expected {
  if (stated.sha256 === undefined || !/^[0-9a-f]{64}$/.test(stated.sha256)) {
    return stated.size !== undefined && fromTree.algorithm === "sha256"
      ? { ...fromTree, size: stated.size }
      : fromTree;
  }
  if (fromTree.algorithm === "sha256" && fromTree.digest !== stated.sha256) {
    throw new DatasetError(
      `The hub states two sha256 for ${subject}: ${stated.sha256} (X-Linked-Etag) and ${fromTree.digest} (file list).`,
      {
        file: url,
        hint: "The file changed while it was being listed, or a mirror is inconsistent; run again.",
      },
    );
  }
  return { algorithm: "sha256", digest: stated.sha256, size: stated.size ?? fromTree.size };
}

/** Undefined when the file is what the hub says; else what differs. */
async function verify(file: string, expected: Expected): Promise<string | undefined> {
  const size = await sizeOf(file);
  if (Number.isFinite(expected.size) && size !== expected.size) {
    return `received ${size} bytes, the hub states ${expected.size}`;
  }
  const hash = createHash(expected.algorithm === "sha256" ? "sha256" : "sha1");
  if (expected.algorithm === "git-sha1") hash.update(`blob ${size}\0`);
  await pipeline(createReadStream(file), hash);
  const digest = hash.digest("hex");
  if (digest !== expected.digest) {
    return `${expected.algorithm === "sha256" ? "sha256" : "git blob id"} ${digest}, the hub states ${expected.digest}`;
  }
  return undefined;
}

/** huggingface_hub's `_normalize_etag`: drops `W/` and quotes. */
function normalizeEtag(etag: string | null): string | undefined {
  return etag ? etag.replace(/^W\//, "").replace(/"/g, "") : undefined;
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
