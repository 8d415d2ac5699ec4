/**
 * What a dataset repository holds at a revision, from the hub's API as huggingface_hub asks it:
 *
 *   GET {endpoint}/api/datasets/{repo}/revision/{revision}              -> {"sha": "<40-hex commit>", ...}
 *   GET {endpoint}/api/datasets/{repo}/tree/{commit}?recursive=true     -> [{"type", "path", "size", "oid",
 *                                                                          "lfs": {"oid", "size"}}], paged by Link
 *
 * The listing comes first so a missing split, config or file is reported before any large download, and
 * so every file has a hash to check: `lfs.oid` (sha256) for LFS/Xet files, `oid` (git blob sha1) else.
 */
import { DatasetError } from "@embedeval/provider-contract";
import { type HubRepositoryType, isSafeRepositoryPath } from "./hub-names.js";
import { type HubRequest, type HubRequestSettings, hubRequest } from "./hub-request.js";

export interface HubTreeFile {
  path: string;
  size: number;
  /** git blob id (sha1 of "blob <size>\0" + bytes) of the file, or of its LFS pointer. */
  oid: string;
  /** Present for LFS/Xet files: the content's sha256 and size. */
  lfs?: { sha256: string; size: number };
}

export interface HubAccess extends HubRequestSettings {
  endpoint: string;
  repository: string;
  /** Default "dataset": `/api/datasets/...`, `/datasets/{repo}/resolve/...`; a model: `/api/models/...`. */
  repositoryType?: HubRepositoryType | undefined;
  token?: string | undefined;
  tokenSource?: string | undefined;
}

function request(access: HubAccess, url: string, subject: string): HubRequest {
  return {
    url,
    subject,
    repository: access.repository,
    repositoryType: access.repositoryType,
    token: access.token,
    tokenSource: access.tokenSource,
    headers: { accept: "application/json" },
  };
}

/** `{endpoint}/api/datasets/{repo}` or `{endpoint}/api/models/{repo}`. */
function apiBase(access: HubAccess): string {
  return `${access.endpoint}/api/${access.repositoryType ?? "dataset"}s/${access.repository}`;
}

/** The 40-hex commit a branch, tag or commit stands for now. */
export async function resolveHubCommit(access: HubAccess, revision: string): Promise<string> {
  const url = `${apiBase(access)}/revision/${encodeURIComponent(revision)}`;
  const response = await hubRequest(request(access, url, `${access.repository}@${revision}`), access);
  const body = (await readJson(response, url)) as { sha?: unknown };
  if (typeof body.sha !== "string" || !/^[0-9a-f]{40}$/.test(body.sha)) {
    throw new DatasetError(`The hub's answer for ${access.repository}@${revision} names no commit.`, {
      file: url,
      hint: "Check HF_ENDPOINT: it must point at a hub (https://huggingface.co).",
    });
  }
  return body.sha;
}

/** Every file of the repository at `commit`, following the Link header's `next` pages. */
export async function listHubTree(access: HubAccess, commit: string): Promise<HubTreeFile[]> {
  const files: HubTreeFile[] = [];
  let url: string | undefined =
    `${apiBase(access)}/tree/${encodeURIComponent(commit)}?recursive=true&expand=false`;
  for (let page = 0; url !== undefined && page < 10_000; page++) {
    const response = await hubRequest(
      request(access, url, `${access.repository}@${commit} (file list)`),
      access,
    );
    const entries = await readJson(response, url);
    if (!Array.isArray(entries)) {
      throw new DatasetError(`The hub's file list of ${access.repository} is not a list.`, { file: url });
    }
    for (const entry of entries as Record<string, unknown>[]) {
      if (entry.type !== "file" || typeof entry.path !== "string") continue;
      if (!isSafeRepositoryPath(entry.path)) {
        throw new DatasetError(
          `The hub's file list of ${access.repository} names an unsafe path: ${JSON.stringify(entry.path)}.`,
          {
            file: url,
            hint: "Nothing was written. A mirror or proxy (HF_ENDPOINT) is sending a hostile listing; check it, or unset HF_ENDPOINT.",
          },
        );
      }
      const file: HubTreeFile = { path: entry.path, size: Number(entry.size), oid: String(entry.oid ?? "") };
      const lfs = entry.lfs as { oid?: unknown; size?: unknown } | undefined;
      if (lfs && typeof lfs.oid === "string") file.lfs = { sha256: lfs.oid, size: Number(lfs.size) };
      files.push(file);
    }
    url = nextPage(response.headers.get("link"), url);
  }
  return files;
}

/** `<https://...>; rel="next"` from a Link header, resolved against the current page. */
function nextPage(link: string | null, current: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1]) return new URL(match[1], current).toString();
  }
  return undefined;
}

async function readJson(response: Response, url: string): Promise<unknown> {
  try {
    return await response.json();
  } catch (error) {
    throw new DatasetError(`The hub's answer is not JSON: ${(error as Error).message}.`, {
      file: url,
      hint: "Check HF_ENDPOINT: it must point at a hub (https://huggingface.co).",
      cause: error,
    });
  }
}
