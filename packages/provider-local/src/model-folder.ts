/**
 * Where a model's files are: a folder the config names by path (`model: ./models/gte-base`), or a hub id
 * (`model: thenlper/gte-base`) already in huggingface_hub's cache, read offline in its layout
 * (https://huggingface.co/docs/huggingface_hub/guides/manage-cache):
 *
 *   $HF_HUB_CACHE/models--thenlper--gte-base/refs/main            the commit `main` points at
 *   $HF_HUB_CACHE/models--thenlper--gte-base/snapshots/<commit>/  the files, links into ../../blobs/
 *
 * Nothing is downloaded here: a model is fetched once with `hf download` (or copied in), and every run
 * after that is offline.
 */
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { ConfigError } from "@embedeval/provider-contract";

export interface ModelFolder {
  /** The folder holding config.json, tokenizer.json, onnx/... */
  folder: string;
  /** The hub commit the files are from; undefined for a folder named by path. */
  commit?: string;
}

export interface ModelFolderRequest {
  /** `model:` from config: a path (starts with `.`, `/` or `~`) or a hub id `owner/name`. */
  model: string;
  /** Branch, tag or commit of a hub id; default `main`. */
  revision?: string;
  /** The config file's folder: relative paths are resolved against it. */
  baseDirectory: string;
  environment: Readonly<Record<string, string | undefined>>;
}

/** A path, not a hub id: `./models/x`, `../x`, `/opt/models/x`, `~/models/x` (Windows: `C:\...`). */
export function isModelPath(model: string): boolean {
  return model.startsWith(".") || model.startsWith("~") || isAbsolute(model) || /^[A-Za-z]:[\\/]/.test(model);
}

/** huggingface_hub's cache folder: HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub. */
export function hubCacheDirectory(environment: Readonly<Record<string, string | undefined>>): string {
  // An empty variable counts as unset, as in huggingface_hub (and core's hub datasets).
  const explicit = environment.HF_HUB_CACHE || environment.HUGGINGFACE_HUB_CACHE;
  if (explicit) return explicit;
  const home = environment.HOME || homedir();
  const hfHome =
    environment.HF_HOME || join(environment.XDG_CACHE_HOME || join(home, ".cache"), "huggingface");
  return join(hfHome, "hub");
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

export async function resolveModelFolder(request: ModelFolderRequest): Promise<ModelFolder> {
  const { model, environment } = request;
  if (isModelPath(model)) {
    const home = environment.HOME || homedir();
    const folder = model.startsWith("~") ? join(home, model.slice(1)) : resolve(request.baseDirectory, model);
    if (!(await isDirectory(folder))) {
      throw new ConfigError(`The model folder ${folder} does not exist.`, {
        key: "model",
        hint: "`model:` is a folder path (relative to the config file) or a hub id such as `thenlper/gte-base`.",
      });
    }
    return { folder };
  }
  return resolveHubSnapshot(request);
}

async function resolveHubSnapshot(request: ModelFolderRequest): Promise<ModelFolder> {
  const { model } = request;
  const revision = request.revision ?? "main";
  const cache = hubCacheDirectory(request.environment);
  const repository = join(cache, `models--${model.replaceAll("/", "--")}`);
  const downloadHint =
    `Download it once on a machine with network access: \`hf download ${model} --include "*.json" "onnx/*" "1_Pooling/*"\`` +
    ` (set HF_HUB_CACHE to put it elsewhere), or set \`model:\` to a local folder path such as ./models/${model.split("/").pop()}.`;
  if (!(await isDirectory(repository))) {
    throw new ConfigError(
      `The model ${model} is not in the Hugging Face cache (${repository} does not exist).`,
      {
        key: "model",
        hint: downloadHint,
      },
    );
  }
  const reference = await readFile(join(repository, "refs", revision), "utf8").catch(() => undefined);
  const commit = reference?.trim() ?? (/^[0-9a-f]{40}$/.test(revision) ? revision : undefined);
  const folder = commit === undefined ? undefined : join(repository, "snapshots", commit);
  if (commit === undefined || folder === undefined || !(await isDirectory(folder))) {
    throw new ConfigError(
      `The model ${model} at revision \`${revision}\` is not in the Hugging Face cache.`,
      {
        key: "options.revision",
        hint: `${repository} has no refs/${revision} or snapshot for it. ${downloadHint}`,
      },
    );
  }
  return { folder, commit };
}
