#!/usr/bin/env node
// Part of `pnpm lint`: every public package carries what a publish needs (npm refuses a provenance publish
// without `repository`) and what a user reads: the metadata fields, the Apache-2.0 LICENSE (the root file,
// copied), a README, and `publishConfig.exports`, the exports map without the `@embedeval/source`
// condition, whose ./src is not packed. The packed result itself is checked by scripts/packaging-test.mjs.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const repositoryUrl = "git+https://github.com/embedeval/embedeval.git";
const license = readFileSync(join(root, "LICENSE"), "utf8");
const problems = [];

function readManifest(folder) {
  return JSON.parse(readFileSync(join(root, folder, "package.json"), "utf8"));
}

/** The exports map as packed: each condition object without the source condition. */
function withoutSourceCondition(exports) {
  return Object.fromEntries(
    Object.entries(exports ?? {}).map(([subpath, target]) => {
      if (typeof target !== "object" || target === null) return [subpath, target];
      const { "@embedeval/source": _source, ...packed } = target;
      return [subpath, packed];
    }),
  );
}

for (const name of readdirSync(join(root, "packages")).sort()) {
  const folder = `packages/${name}`;
  if (!existsSync(join(root, folder, "package.json"))) continue;
  const manifest = readManifest(folder);
  if (manifest.private) continue;
  const problem = (text) => problems.push(`${folder}/package.json: ${text}`);
  if (manifest.license !== "Apache-2.0") problem(`license is ${manifest.license}, expected Apache-2.0`);
  for (const field of ["description", "author", "homepage"]) {
    if (typeof manifest[field] !== "string" || manifest[field] === "") problem(`no ${field}`);
  }
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) problem("no keywords");
  if (typeof manifest.bugs?.url !== "string") problem("no bugs.url");
  const { repository } = manifest;
  if (repository?.type !== "git" || repository?.url !== repositoryUrl || repository?.directory !== folder) {
    problem(`repository must be { "type": "git", "url": "${repositoryUrl}", "directory": "${folder}" }`);
  }
  if (manifest.publishConfig?.access !== "public") problem('publishConfig.access is not "public"');
  if (manifest.publishConfig?.provenance !== true) problem("publishConfig.provenance is not true");
  const packedExports = withoutSourceCondition(manifest.exports);
  if (JSON.stringify(manifest.publishConfig?.exports) !== JSON.stringify(packedExports)) {
    problem(
      `publishConfig.exports must be exports without "@embedeval/source": ${JSON.stringify(packedExports)}`,
    );
  }
  if (!manifest.files?.includes("LICENSE")) problem('files does not list "LICENSE"');
  if (!existsSync(join(root, folder, "README.md"))) problems.push(`${folder}: no README.md`);
  const licenseFile = join(root, folder, "LICENSE");
  if (!existsSync(licenseFile) || readFileSync(licenseFile, "utf8") !== license) {
    problems.push(`${folder}/LICENSE: missing or not the root LICENSE (cp LICENSE ${folder}/LICENSE)`);
  }
}

// Released as one version (the fixed group in .changeset/config.json): `embedeval --version` prints core's
// version, and the action's tag vX.Y.Z is the version of the CLI it bundles.
const together = ["packages/core", "packages/cli", "actions/evaluate"].map((folder) => [
  folder,
  readManifest(folder),
]);
if (new Set(together.map(([, manifest]) => manifest.version)).size > 1) {
  problems.push(
    `one version for ${together.map(([folder, manifest]) => `${folder} (${manifest.version})`).join(", ")}`,
  );
}

if (problems.length > 0) {
  console.error(
    `package metadata: ${problems.length} problem(s)\n${problems.map((line) => `  ${line}`).join("\n")}`,
  );
  process.exit(1);
}
console.log("package metadata: every public package is complete");
