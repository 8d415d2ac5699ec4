import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ConfigError } from "@embedeval/provider-contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalProvider } from "./index.js";
import { hubCacheDirectory, isModelPath, resolveModelFolder } from "./model-folder.js";

const fixtures = join(import.meta.dirname, "..", "test", "fixtures");
const commit = "0123456789abcdef0123456789abcdef01234567";
const olderCommit = "fedcba9876543210fedcba9876543210fedcba98";

async function listFiles(folder: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(join(folder, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(folder, path)));
    else files.push(path);
  }
  return files;
}

/**
 * Lays a model out as huggingface_hub's cache does: each file in blobs/ under its SHA-256, the snapshot
 * holding relative links to them, refs/main naming the commit.
 */
async function writeHubCache(cache: string, repository: string, source: string, snapshotCommit: string) {
  const root = join(cache, `models--${repository.replace("/", "--")}`);
  for (const file of await listFiles(source)) {
    const content = await readFile(join(source, file));
    const hash = createHash("sha256").update(content).digest("hex");
    await mkdir(join(root, "blobs"), { recursive: true });
    await writeFile(join(root, "blobs", hash), content);
    const link = join(root, "snapshots", snapshotCommit, file);
    await mkdir(join(link, ".."), { recursive: true });
    await symlink(relative(join(link, ".."), join(root, "blobs", hash)), link);
  }
  return root;
}

describe("which folder a model's files are in", () => {
  let cache: string;
  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), "embedeval-hub-cache-"));
    const root = await writeHubCache(cache, "acme/tiny-mean", join(fixtures, "tiny-mean"), commit);
    await writeHubCache(cache, "acme/tiny-mean", join(fixtures, "tiny-cls"), olderCommit);
    await mkdir(join(root, "refs"), { recursive: true });
    await writeFile(join(root, "refs", "main"), commit);
  });
  afterAll(async () => {
    await rm(cache, { recursive: true, force: true });
  });

  it("tells paths from hub ids", () => {
    expect(["./models/x", "../x", "/opt/x", "~/x", "C:\\models\\x"].map(isModelPath)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(["thenlper/gte-base", "bert-base-uncased"].map(isModelPath)).toEqual([false, false]);
  });

  it("finds the cache where huggingface_hub puts it", () => {
    expect(hubCacheDirectory({ HF_HUB_CACHE: "/c" })).toBe("/c");
    expect(hubCacheDirectory({ HF_HOME: "/h" })).toBe(join("/h", "hub"));
    expect(hubCacheDirectory({ HF_HUB_CACHE: "", HF_HOME: "/h" }), "an empty variable is unset").toBe(
      join("/h", "hub"),
    );
    expect(hubCacheDirectory({ XDG_CACHE_HOME: "/x", HOME: "/home/u" })).toBe(
      join("/x", "huggingface", "hub"),
    );
    expect(hubCacheDirectory({ HOME: "/home/u" })).toBe(join("/home/u", ".cache", "huggingface", "hub"));
  });

  it("resolves a hub id through refs/main to its snapshot, offline", async () => {
    const found = await resolveModelFolder({
      model: "acme/tiny-mean",
      baseDirectory: "/",
      environment: { HF_HUB_CACHE: cache },
    });
    expect(found).toEqual({ folder: join(cache, "models--acme--tiny-mean", "snapshots", commit), commit });
    const pinned = await resolveModelFolder({
      model: "acme/tiny-mean",
      revision: olderCommit,
      baseDirectory: "/",
      environment: { HF_HUB_CACHE: cache },
    });
    expect(pinned.commit).toBe(olderCommit);
  });

  it("runs a cached hub model, its weights fingerprinted by the blob's name", async () => {
    const provider = await createLocalProvider({
      model: "acme/tiny-mean",
      options: { threads: 1 },
      baseDirectory: "/",
      environment: { HF_HOME: join(cache, "..", "unused"), HF_HUB_CACHE: cache },
    });
    try {
      const weights = await readFile(join(fixtures, "tiny-mean", "onnx", "model.onnx"));
      expect(provider.vectorOptions.weightsSha256).toBe(createHash("sha256").update(weights).digest("hex"));
      const fromFolder = await createLocalProvider({
        model: "./tiny-mean",
        options: { threads: 1 },
        baseDirectory: fixtures,
        environment: {},
      });
      // The same files give the same cache key however they were found: hashed here, named in the hub cache.
      expect(provider.vectorOptions).toEqual(fromFolder.vectorOptions);
      const [hub, local] = await Promise.all(
        [provider, fromFolder].map((each) =>
          each.embed({ texts: ["heart of the cell"], inputType: "query" }),
        ),
      );
      expect(Array.from(hub?.embeddings[0] ?? [])).toEqual(Array.from(local?.embeddings[0] ?? []));
      await fromFolder.close();
    } finally {
      await provider.close();
    }
  });

  it("says how to download a model that is not cached", async () => {
    const error = await resolveModelFolder({
      model: "thenlper/gte-base",
      baseDirectory: "/",
      environment: { HF_HUB_CACHE: cache },
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(join(cache, "models--thenlper--gte-base"));
    expect((error as ConfigError).hint).toContain("hf download thenlper/gte-base");
  });

  it("names a revision that is not cached", async () => {
    const error = await resolveModelFolder({
      model: "acme/tiny-mean",
      revision: "v2",
      baseDirectory: "/",
      environment: { HF_HUB_CACHE: cache },
    }).catch((thrown: unknown) => thrown);
    expect((error as ConfigError).key).toBe("options.revision");
    expect((error as ConfigError).message).toContain("`v2`");
  });

  it("resolves a relative folder against the config's folder and reports one that is missing", async () => {
    const copy = join(cache, "copy", "models", "tiny");
    await cp(join(fixtures, "tiny-cls"), copy, { recursive: true });
    expect(
      await resolveModelFolder({
        model: "./models/tiny",
        baseDirectory: join(cache, "copy"),
        environment: {},
      }),
    ).toEqual({ folder: copy });
    const error = await resolveModelFolder({
      model: "./models/absent",
      baseDirectory: join(cache, "copy"),
      environment: {},
    }).catch((thrown: unknown) => thrown);
    expect((error as ConfigError).message).toContain(join(cache, "copy", "models", "absent"));
  });
});
