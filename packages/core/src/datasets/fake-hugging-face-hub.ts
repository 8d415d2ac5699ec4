/**
 * A stand-in for huggingface.co and its CDN on 127.0.0.1, for tests: two servers (two origins) that put
 * headers where the real ones do (huggingface_hub's file_download.py and hf_api.py read them there):
 *
 * - `/api/datasets/{repo}/revision/{rev}` -> {"sha"}; `/api/datasets/{repo}/tree/{rev}?recursive=true` ->
 *   the listing with `oid` (git blob id) and `lfs.oid` (sha256), paged by a Link header.
 * - `/datasets/{repo}/resolve/{rev}/{path}`: a small (non-LFS) file is served at once with its git oid as
 *   ETag; an LFS/Xet file gets a 302 to the CDN carrying X-Linked-Etag (sha256), X-Linked-Size and
 *   X-Repo-Commit, which only this 302 has.
 * - the CDN serves the bytes with an ETag that is not the sha256: Xet-style 64-hex or an S3 md5. It honours
 *   Range (206), and can be told to corrupt, truncate or fail (429/503) its next answers.
 * - model repositories (`addModel`) the same way at `/api/models/{repo}/...` and `/{repo}/resolve/{rev}/{path}`.
 * - errors carry X-Error-Code: RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo (401/403).
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeDatasetFile {
  content: string | Uint8Array;
  /** Stored with LFS/Xet: redirected to the CDN. Default: every file but README.md and .gitattributes. */
  lfs?: boolean;
  /** The sha256 the hub's 302 states instead of the true one (a hub and a listing that disagree). */
  linkedEtag?: string;
  /** Listed in the tree, but the resolve URL answers 404 EntryNotFound. */
  unresolvable?: boolean;
}

export interface FakeDataset {
  commit: string;
  /** Branch or tag -> commit; `main` -> commit by default. */
  refs?: Record<string, string>;
  files: Record<string, string | Uint8Array | FakeDatasetFile>;
  /** A token the hub requires (gated dataset): 401 without a token, 403 with another one. */
  requiredToken?: string;
}

export type CdnFault = "corrupt" | "truncate" | "cut-connection" | { status: number; retryAfter?: string };

export interface FakeHubRequest {
  origin: "hub" | "cdn";
  path: string;
  authorization: string | undefined;
  range: string | undefined;
}

export class FakeHuggingFaceHub {
  readonly requests: FakeHubRequest[] = [];
  /** Faults the CDN applies to its next answers, first first. */
  readonly cdnFaults: CdnFault[] = [];
  /** Faults the hub applies to its next answers (429/503), first first. */
  readonly hubFaults: { status: number; retryAfter?: string }[] = [];
  /** ETag style of the CDN: Xet's own 64-hex hash, or an S3 md5. */
  cdnEtag: "xet" | "md5" = "xet";
  /** Entries per tree page; a smaller value exercises the Link pagination. */
  treePageSize = 1000;
  private readonly datasets = new Map<string, FakeDataset>();
  private readonly models = new Map<string, FakeDataset>();
  private readonly blobs = new Map<string, Buffer>();
  private hubServer: Server | undefined;
  private cdnServer: Server | undefined;
  endpoint = "";
  cdnOrigin = "";

  async start(): Promise<void> {
    this.hubServer = createServer((request, response) =>
      this.record("hub", request, () => this.serveHub(request, response)),
    );
    this.cdnServer = createServer((request, response) =>
      this.record("cdn", request, () => this.serveCdn(request, response)),
    );
    this.endpoint = await listen(this.hubServer);
    this.cdnOrigin = await listen(this.cdnServer);
  }

  async stop(): Promise<void> {
    for (const server of [this.hubServer, this.cdnServer]) {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
  }

  addDataset(repository: string, dataset: FakeDataset): void {
    this.datasets.set(repository, dataset);
    for (const file of Object.values(dataset.files)) {
      const bytes = contentOf(file);
      this.blobs.set(sha256(bytes), bytes);
    }
  }

  /** A model repository: the same shape as a dataset, served at the hub's model URLs. */
  addModel(repository: string, model: FakeDataset): void {
    this.models.set(repository, model);
    for (const file of Object.values(model.files)) {
      const bytes = contentOf(file);
      this.blobs.set(sha256(bytes), bytes);
    }
  }

  /** The sha256 the hub states for a file's bytes. */
  static sha256(content: string | Uint8Array): string {
    return sha256(toBuffer(content));
  }

  private record(origin: "hub" | "cdn", request: IncomingMessage, serve: () => void): void {
    this.requests.push({
      origin,
      path: request.url ?? "/",
      authorization: request.headers.authorization,
      range: request.headers.range,
    });
    serve();
  }

  private serveHub(request: IncomingMessage, response: ServerResponse): void {
    const fault = this.hubFaults.shift();
    if (fault) {
      response
        .writeHead(fault.status, fault.retryAfter ? { "retry-after": fault.retryAfter } : {})
        .end("busy");
      return;
    }
    const url = new URL(request.url ?? "/", this.endpoint);
    const path = decodeURIComponent(url.pathname);
    const datasetApi = /^\/api\/datasets\/([^/]+\/[^/]+)\/(revision|tree)\/(.+)$/.exec(url.pathname);
    const datasetResolve = /^\/datasets\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const modelApi = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|tree)\/(.+)$/.exec(url.pathname);
    const modelResolve = datasetResolve
      ? null
      : /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const api = datasetApi ?? modelApi;
    const match = api ?? datasetResolve ?? modelResolve;
    if (!match) {
      error(response, 404, "RepoNotFound", `No route ${path}`);
      return;
    }
    const repository = match[1] as string;
    const dataset = ((modelApi ?? modelResolve) ? this.models : this.datasets).get(repository);
    if (!dataset) {
      error(response, 404, "RepoNotFound", "Repository not found");
      return;
    }
    if (dataset.requiredToken) {
      const given = request.headers.authorization;
      if (!given) {
        error(response, 401, "GatedRepo", "Access to this dataset is restricted.");
        return;
      }
      if (given !== `Bearer ${dataset.requiredToken}`) {
        error(response, 403, "GatedRepo", "Your token has no access to this gated dataset.");
        return;
      }
    }
    const revision = decodeURIComponent((api ? match[3] : match[2]) as string);
    const commit =
      revision === dataset.commit ? revision : { main: dataset.commit, ...dataset.refs }[revision];
    if (!commit || commit !== dataset.commit) {
      error(response, 404, "RevisionNotFound", `Invalid rev id: ${revision}`);
      return;
    }
    if (api?.[2] === "revision") {
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ id: repository, sha: commit }));
      return;
    }
    if (api) {
      this.serveTree(dataset, url, response);
      return;
    }
    const filePath = decodeURIComponent(match[3] as string);
    const file = dataset.files[filePath];
    if (file === undefined) {
      error(response, 404, "EntryNotFound", `${filePath} does not exist on "${revision}"`);
      return;
    }
    const options: Partial<FakeDatasetFile> =
      typeof file === "object" && !(file instanceof Uint8Array) ? file : {};
    if (options.unresolvable) {
      error(response, 404, "EntryNotFound", `${filePath} does not exist on "${revision}"`);
      return;
    }
    const bytes = contentOf(file);
    if (!isLfs(filePath, file)) {
      response
        .writeHead(200, {
          etag: `"${gitOid(bytes)}"`,
          "x-repo-commit": commit,
          "content-length": bytes.length,
        })
        .end(bytes);
      return;
    }
    const digest = sha256(bytes);
    response
      .writeHead(302, {
        location: `${this.cdnOrigin}/xet/${digest}?signature=fake`,
        "x-linked-etag": `"${options.linkedEtag ?? digest}"`,
        "x-linked-size": String(bytes.length),
        "x-repo-commit": commit,
        etag: `W/"${gitOid(Buffer.from(`pointer ${digest}`))}"`,
      })
      .end();
  }

  private serveTree(dataset: FakeDataset, url: URL, response: ServerResponse): void {
    const entries = Object.entries(dataset.files)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([path, file]) => {
        const bytes = contentOf(file);
        const pointer = Buffer.from(
          `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(bytes)}\nsize ${bytes.length}\n`,
        );
        return isLfs(path, file)
          ? {
              type: "file",
              path,
              size: bytes.length,
              oid: gitOid(pointer),
              lfs: { oid: sha256(bytes), size: bytes.length, pointerSize: pointer.length },
            }
          : { type: "file", path, size: bytes.length, oid: gitOid(bytes) };
      });
    const folders = new Set(
      entries.flatMap((entry) =>
        entry.path
          .split("/")
          .slice(0, -1)
          .map((_, index, parts) => parts.slice(0, index + 1).join("/")),
      ),
    );
    const all = [
      ...entries,
      ...[...folders].map((path) => ({ type: "directory", path, oid: "0".repeat(40), size: 0 })),
    ];
    const start = Number(url.searchParams.get("cursor") ?? 0);
    const page = all.slice(start, start + this.treePageSize);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (start + this.treePageSize < all.length) {
      const next = new URL(url);
      next.searchParams.set("cursor", String(start + this.treePageSize));
      headers.link = `<${next}>; rel="next"`;
    }
    response.writeHead(200, headers).end(JSON.stringify(page));
  }

  private serveCdn(request: IncomingMessage, response: ServerResponse): void {
    const digest = /^\/xet\/([0-9a-f]{64})/.exec(request.url ?? "")?.[1];
    const bytes = digest ? this.blobs.get(digest) : undefined;
    if (!bytes) {
      response.writeHead(404).end("NoSuchKey");
      return;
    }
    const fault = this.cdnFaults.shift();
    if (fault && typeof fault === "object") {
      response
        .writeHead(fault.status, fault.retryAfter ? { "retry-after": fault.retryAfter } : {})
        .end("SlowDown");
      return;
    }
    const etag =
      this.cdnEtag === "xet"
        ? sha256(Buffer.concat([Buffer.from("xet"), bytes]))
        : createHash("md5").update(bytes).digest("hex");
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]) + 1, bytes.length) : bytes.length;
    let body = bytes.subarray(start, end);
    if (fault === "corrupt") {
      body = Buffer.from(body);
      body[0] = (body[0] ?? 0) ^ 0xff;
    }
    const headers: Record<string, string | number> = {
      etag: `"${etag}"`,
      "content-length": body.length,
      "accept-ranges": "bytes",
    };
    if (range) headers["content-range"] = `bytes ${start}-${end - 1}/${bytes.length}`;
    if (fault === "truncate") {
      // A body that ends early and cleanly: the declared length is the short one, as a broken proxy sends.
      const half = body.subarray(0, Math.floor(body.length / 2));
      response.writeHead(range ? 206 : 200, { ...headers, "content-length": half.length }).end(half);
      return;
    }
    if (fault === "cut-connection") {
      response.writeHead(range ? 206 : 200, headers);
      // The first half arrives, then the connection drops (after a pause, so the half is received).
      response.write(body.subarray(0, Math.floor(body.length / 2)), () => {
        setTimeout(() => response.socket?.destroy(), 50);
      });
      return;
    }
    response.writeHead(range ? 206 : 200, headers).end(body);
  }
}

function error(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, {
    "x-error-code": code,
    "x-error-message": message,
    "content-type": "application/json",
  });
  response.end(JSON.stringify({ error: message }));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function toBuffer(content: string | Uint8Array): Buffer {
  return typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
}

function contentOf(file: string | Uint8Array | FakeDatasetFile): Buffer {
  return typeof file === "string" || file instanceof Uint8Array ? toBuffer(file) : toBuffer(file.content);
}

function isLfs(path: string, file: string | Uint8Array | FakeDatasetFile): boolean {
  if (typeof file === "object" && !(file instanceof Uint8Array) && file.lfs !== undefined) return file.lfs;
  return path !== "README.md" && path !== ".gitattributes";
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** git's blob id: sha1 of "blob <size>\0" and the bytes. */
function gitOid(bytes: Buffer): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
