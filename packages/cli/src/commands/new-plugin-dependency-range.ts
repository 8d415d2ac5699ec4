import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { UsageError } from "@embedeval/core";

/**
 * The range a scaffolded plugin asks for an @embedeval package with: a caret of the version installed beside
 * this CLI (the contract is a dependency of core, so it is found from core's folder; the testkit only when
 * it happens to be installed), else the range this CLI's or core's package.json recorded when it was
 * released. The testkit is released with its own version, not the CLI's (see docs/releasing.md), so the
 * CLI records the testkit it was released with as a dev dependency: `pnpm publish` turns its
 * `workspace:^` into `^<the testkit's version then>`, a testkit for the contract this CLI runs with.
 *
 * `from` is where to resolve from (this module; a test passes a file inside an installed layout).
 */
export async function newPluginDependencyRange(
  name: string,
  from: string = import.meta.url,
): Promise<string> {
  const fromCli = createRequire(from);
  const places = [fromCli];
  try {
    places.push(createRequire(fromCli.resolve("@embedeval/core/package.json")));
  } catch {
    // Core is a dependency of the CLI; without it nothing runs, and `run` says so.
  }
  for (const place of places) {
    const installed = await readManifest(place, name);
    if (installed?.version) return `^${installed.version}`;
  }
  for (const recorder of ["@embedeval/cli", "@embedeval/core"]) {
    const manifest = await readManifest(fromCli, recorder);
    const range = manifest?.dependencies?.[name] ?? manifest?.devDependencies?.[name];
    // In this repository the ranges are `workspace:` ones, and the packages are installed (found above).
    if (range !== undefined && !range.startsWith("workspace:")) return range;
  }
  throw new UsageError(`cannot tell which ${name} release goes with this embedeval`, {
    hint: `It is neither installed beside @embedeval/cli nor named in its package.json: reinstall @embedeval/cli, or install ${name} beside it.`,
  });
}

interface Manifest {
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

async function readManifest(place: NodeJS.Require, name: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(place.resolve(`${name}/package.json`), "utf8")) as Manifest;
  } catch {
    // Not installed from there.
    return undefined;
  }
}
