import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the GitHub REST endpoints the action calls, with state: issue comments, a git
 * object store (blobs, trees, commits, refs) for the results branch, a commit graph for the commits list
 * and the compare API. Shapes follow https://docs.github.com/en/rest; only the fields the action reads.
 */
export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
}

export interface FakeCommit {
  sha: string;
  parent?: string;
  date: string;
}

export interface FakePullRequest {
  headSha: string;
  headRepository: string;
  baseSha: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
}

export class FakeGitHubServer {
  readonly comments = new Map<number, FakeComment[]>();
  readonly requests: RecordedRequest[] = [];
  /** The repository's commit graph (first parents), for GET /commits. */
  readonly history = new Map<string, FakeCommit>();
  /** "base...head" -> merge-base SHA, for the compare API. */
  readonly mergeBases = new Map<string, string>();
  /** Pull requests by number, for GET /pulls/{number}. */
  readonly pullRequests = new Map<number, FakePullRequest>();
  cacheLookups = 0;
  cacheReservations = 0;
  /** Runs once just before the next ref update is applied (e.g. a concurrent writer moving the branch). */
  beforeRefUpdate: (() => void) | undefined;
  /** Answers GET /commits with this status (e.g. 502) when set. */
  commitsStatus: number | undefined;
  /** Who the token comments as (a GitHub App token comments as `<app>[bot]`). */
  commentAuthor = "github-actions[bot]";
  /** When true, creating or editing comments answers 403 like a fork's read-only token. */
  forbidComments = false;
  /** Files of the repository at a commit (commit SHA -> path -> text), for the contents API with `ref`. */
  readonly repositoryFiles = new Map<string, Map<string, string>>();
  /** "base...head" -> the files the compare API lists as changed (renames name their old path). */
  readonly changedFiles = new Map<
    string,
    { filename: string; status: string; previous_filename?: string }[]
  >();
  /**
   * When set, every write (POST/PATCH/PUT/DELETE) answers 403 "Resource not accessible by integration" with
   * GitHub's x-accepted-github-permissions header, like a GITHUB_TOKEN whose `permissions:` lack them.
   */
  missingWritePermission: string | undefined;
  /** Requests still to answer with a secondary rate limit (403 with retry-after: 1) before serving them. */
  secondaryRateLimits = 0;
  private readonly blobs = new Map<string, string>();
  private readonly trees = new Map<string, Map<string, string>>();
  private readonly gitCommits = new Map<string, { tree: string; parents: string[]; message: string }>();
  private readonly refs = new Map<string, string>();
  private nextCommentId = 1000;
  private server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: Error) => {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ message: error.message }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** A comment someone else wrote (or quoted), as if it were already on the pull request. */
  seedComment(issue: number, body: string, login: string): FakeComment {
    const comment: FakeComment = {
      id: this.nextCommentId++,
      body,
      user: { login, type: login.endsWith("[bot]") ? "Bot" : "User" },
      html_url: `https://github.com/o/r/pull/${issue}#issuecomment-${this.nextCommentId - 1}`,
    };
    this.comments.set(issue, [...(this.comments.get(issue) ?? []), comment]);
    return comment;
  }

  addCommits(commits: FakeCommit[]): void {
    for (const commit of commits) this.history.set(commit.sha, commit);
  }

  /** Every file on a branch, path -> text. */
  branchFiles(branch: string): Map<string, string> {
    const head = this.refs.get(`heads/${branch}`);
    const files = new Map<string, string>();
    if (!head) return files;
    const tree = this.trees.get((this.gitCommits.get(head) as { tree: string }).tree) as Map<string, string>;
    for (const [path, blob] of tree) files.set(path, this.blobs.get(blob) as string);
    return files;
  }

  /** Puts a file on a branch directly (what an earlier record run would have written). */
  seedFile(branch: string, path: string, content: string): void {
    const blob = this.store(this.blobs, content);
    const parent = this.refs.get(`heads/${branch}`);
    const entries = new Map(
      parent ? this.trees.get((this.gitCommits.get(parent) as { tree: string }).tree) : [],
    );
    entries.set(path, blob);
    const tree = this.storeTree(entries);
    const commit = this.storeCommit(tree, parent ? [parent] : [], "seed");
    this.refs.set(`heads/${branch}`, commit);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    const method = request.method ?? "GET";
    this.requests.push({ method, path: url.pathname });
    const body = method === "GET" ? undefined : await readJson(request);
    const send = (status: number, data: unknown, raw = false) => {
      // GitHub answers the raw media type with text/plain.
      response.writeHead(status, { "content-type": raw ? "text/plain; charset=utf-8" : "application/json" });
      response.end(raw ? String(data) : JSON.stringify(data));
    };
    const notFound = () =>
      send(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    if (!/^(token|bearer) \S+/i.test(request.headers.authorization ?? "")) {
      send(401, { message: "Requires authentication" });
      return;
    }
    const path = url.pathname;
    let match = [] as unknown as RegExpExecArray;
    const test = (pattern: RegExp): boolean => {
      const found = pattern.exec(path);
      if (found) match = found;
      return found !== null;
    };

    // The Actions cache service (v1 protocol, ACTIONS_CACHE_URL): every lookup misses, every reservation is
    // refused, so the action's soft handling of cache failures is exercised without retry delays.
    if (path === "/_apis/artifactcache/cache" && method === "GET") {
      this.cacheLookups++;
      response.writeHead(204);
      response.end();
      return;
    }
    if (path === "/_apis/artifactcache/caches" && method === "POST") {
      this.cacheReservations++;
      send(400, {
        message: "cache reservation refused by the test server",
        typeKey: "InvalidOperationException",
      });
      return;
    }
    if (this.secondaryRateLimits > 0 && path.startsWith("/repos/")) {
      this.secondaryRateLimits--;
      response.writeHead(403, { "content-type": "application/json", "retry-after": "1" });
      response.end(
        JSON.stringify({
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        }),
      );
      return;
    }
    if (this.missingWritePermission && method !== "GET" && path.startsWith("/repos/")) {
      response.writeHead(403, {
        "content-type": "application/json",
        "x-accepted-github-permissions": this.missingWritePermission,
      });
      response.end(JSON.stringify({ message: "Resource not accessible by integration" }));
      return;
    }
    if (method === "GET" && path === "/user") {
      // GITHUB_TOKEN is an installation token: GET /user is not allowed for it.
      send(403, { message: "Resource not accessible by integration" });
      return;
    }
    if (method === "GET" && test(/^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)$/)) {
      const number = Number(match[1]);
      const pullRequest = this.pullRequests.get(number);
      if (!pullRequest) return notFound();
      send(200, {
        number,
        state: "open",
        head: { sha: pullRequest.headSha, repo: { full_name: pullRequest.headRepository } },
        base: { sha: pullRequest.baseSha, repo: { full_name: "octo-org/retrieval" } },
      });
      return;
    }
    if (test(/^\/repos\/[^/]+\/[^/]+\/compare\/(.+)$/)) {
      const basehead = decodeURIComponent(match[1] as string);
      const [base] = basehead.split("...");
      const sha = this.mergeBases.get(basehead) ?? base;
      send(200, {
        merge_base_commit: { sha },
        status: "ahead",
        files: this.changedFiles.get(basehead) ?? [],
      });
      return;
    }
    if (method === "GET" && /^\/repos\/[^/]+\/[^/]+\/commits$/.test(path)) {
      if (this.commitsStatus) return send(this.commitsStatus, { message: "Server Error" });
      const list = [];
      let sha = url.searchParams.get("sha") ?? undefined;
      const limit = Number(url.searchParams.get("per_page") ?? 30);
      while (sha && list.length < limit) {
        const commit = this.history.get(sha);
        if (!commit) break;
        list.push({ sha: commit.sha, commit: { committer: { date: commit.date } } });
        sha = commit.parent;
      }
      if (list.length === 0) return notFound();
      send(200, list);
      return;
    }
    if (method === "GET" && test(/^\/repos\/[^/]+\/[^/]+\/git\/trees\/(.+)$/)) {
      const head = this.refs.get(`heads/${decodeURIComponent(match[1] as string)}`);
      if (!head) return notFound();
      const tree = this.trees.get((this.gitCommits.get(head) as { tree: string }).tree) as Map<
        string,
        string
      >;
      send(200, {
        sha: head,
        truncated: false,
        tree: [...tree.keys()].map((entry) => ({ path: entry, type: "blob", mode: "100644" })),
      });
      return;
    }
    if (method === "GET" && test(/^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/)) {
      const ref = url.searchParams.get("ref") ?? "main";
      const file = (this.repositoryFiles.get(ref) ?? this.branchFiles(ref)).get(
        decodeURIComponent(match[1] as string),
      );
      if (file === undefined) return notFound();
      if (!(request.headers.accept ?? "").includes("raw")) {
        send(200, { type: "file", encoding: "base64", content: Buffer.from(file).toString("base64") });
        return;
      }
      send(200, file, true);
      return;
    }
    if (method === "GET" && test(/^\/repos\/[^/]+\/[^/]+\/git\/ref\/(.+)$/)) {
      const sha = this.refs.get(decodeURIComponent(match[1] as string));
      if (!sha) return notFound();
      send(200, { ref: `refs/${match[1]}`, object: { sha, type: "commit" } });
      return;
    }
    if (method === "GET" && test(/^\/repos\/[^/]+\/[^/]+\/git\/commits\/([0-9a-f]+)$/)) {
      const commit = this.gitCommits.get(match[1] as string);
      if (!commit) return notFound();
      send(200, {
        sha: match[1],
        tree: { sha: commit.tree },
        parents: commit.parents.map((sha) => ({ sha })),
      });
      return;
    }
    if (method === "POST" && /\/git\/blobs$/.test(path)) {
      const { content, encoding } = body as { content: string; encoding: string };
      const text = encoding === "base64" ? Buffer.from(content, "base64").toString("utf8") : content;
      send(201, { sha: this.store(this.blobs, text) });
      return;
    }
    if (method === "POST" && /\/git\/trees$/.test(path)) {
      const { tree, base_tree } = body as { tree: { path: string; sha: string }[]; base_tree?: string };
      const entries = new Map(base_tree ? this.trees.get(base_tree) : []);
      for (const entry of tree) {
        if (!this.blobs.has(entry.sha)) return send(422, { message: `blob ${entry.sha} not found` });
        entries.set(entry.path, entry.sha);
      }
      send(201, { sha: this.storeTree(entries) });
      return;
    }
    if (method === "POST" && /\/git\/commits$/.test(path)) {
      const { tree, parents, message } = body as { tree: string; parents: string[]; message: string };
      if (!this.trees.has(tree)) return send(422, { message: "tree not found" });
      send(201, { sha: this.storeCommit(tree, parents, message) });
      return;
    }
    if (method === "POST" && /\/git\/refs$/.test(path)) {
      const { ref, sha } = body as { ref: string; sha: string };
      const name = ref.replace(/^refs\//, "");
      if (this.refs.has(name)) return send(422, { message: "Reference already exists" });
      this.refs.set(name, sha);
      send(201, { ref, object: { sha } });
      return;
    }
    if (method === "PATCH" && test(/^\/repos\/[^/]+\/[^/]+\/git\/refs\/(.+)$/)) {
      const name = decodeURIComponent(match[1] as string);
      const { sha } = body as { sha: string };
      this.beforeRefUpdate?.();
      this.beforeRefUpdate = undefined;
      const current = this.refs.get(name);
      if (!current) return notFound();
      // Fast-forward only, like GitHub without force: true.
      if (!(this.gitCommits.get(sha)?.parents ?? []).includes(current)) {
        return send(422, { message: "Update is not a fast forward" });
      }
      this.refs.set(name, sha);
      send(200, { ref: `refs/${name}`, object: { sha } });
      return;
    }
    if (test(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/)) {
      const issue = Number(match[1]);
      const list = this.comments.get(issue) ?? [];
      if (method === "GET") {
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        send(200, list.slice((page - 1) * perPage, page * perPage));
        return;
      }
      if (method === "POST") {
        if (this.forbidComments) return send(403, { message: "Resource not accessible by integration" });
        const { body: text } = body as { body: string };
        if (text.length > 65_536)
          return send(422, { message: "Body is too long (maximum is 65536 characters)" });
        const comment: FakeComment = {
          id: this.nextCommentId++,
          body: text,
          user: { login: this.commentAuthor, type: "Bot" },
          html_url: `https://github.com/o/r/pull/${issue}#issuecomment-${this.nextCommentId - 1}`,
        };
        this.comments.set(issue, [...list, comment]);
        send(201, comment);
        return;
      }
    }
    if (method === "PATCH" && test(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/)) {
      if (this.forbidComments) return send(403, { message: "Resource not accessible by integration" });
      const id = Number(match[1]);
      const comment = [...this.comments.values()].flat().find((candidate) => candidate.id === id);
      if (!comment) return notFound();
      // Only the author may edit a comment (an installation token cannot edit another bot's).
      if (comment.user.login !== this.commentAuthor) {
        return send(403, { message: "Resource not accessible by integration" });
      }
      const { body: text } = body as { body: string };
      if (text.length > 65_536)
        return send(422, { message: "Body is too long (maximum is 65536 characters)" });
      comment.body = text;
      send(200, comment);
      return;
    }
    notFound();
  }

  private store(map: Map<string, string>, content: string): string {
    const sha = createHash("sha1").update(content).digest("hex");
    map.set(sha, content);
    return sha;
  }

  private storeTree(entries: Map<string, string>): string {
    const sha = createHash("sha1")
      .update(JSON.stringify([...entries].sort()))
      .digest("hex");
    this.trees.set(sha, entries);
    return sha;
  }

  private storeCommit(tree: string, parents: string[], message: string): string {
    const sha = createHash("sha1")
      .update(JSON.stringify({ tree, parents, message, n: this.gitCommits.size }))
      .digest("hex");
    this.gitCommits.set(sha, { tree, parents, message });
    return sha;
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}
