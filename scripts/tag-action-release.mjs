#!/usr/bin/env node
// Tags a release of the GitHub Action (actions/evaluate): `vX.Y.Z` on HEAD, the version in
// actions/evaluate/package.json (released with @embedeval/core and @embedeval/cli as one version, see
// .changeset/config.json), and the moving major tag `vX` (v0 while 0.x) on the same commit, which is what
// `uses: embedeval/embedeval/actions/evaluate@v0` follows. Before tagging, .ci/check-dist proves that the
// committed dist/index.js is the build of the committed sources. Does nothing when vX.Y.Z exists already,
// so the release workflow can run it on every push to main. Prereleases (X.Y.Z-next.N) do not move vX.
//
// Usage: node scripts/tag-action-release.mjs [--push]
//   --push  also pushes both tags to origin (the major tag with --force: it moves)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const push = process.argv.includes("--push");
const { version } = JSON.parse(readFileSync(resolve(root, "actions/evaluate/package.json"), "utf8"));
const tag = `v${version}`;
const majorTag = `v${version.split(".")[0]}`;
const prerelease = version.includes("-");

function git(...args) {
  return execFileSync("git", args, {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

function tagExists(name) {
  try {
    git("rev-parse", "--quiet", "--verify", `refs/tags/${name}`);
    return true;
  } catch {
    return false;
  }
}

if (tagExists(tag)) {
  console.log(
    `${tag} exists (${git("rev-list", "-n", "1", tag)}): the action's version ${version} is tagged already`,
  );
  process.exit(0);
}

try {
  execFileSync("bash", [resolve(root, ".ci/check-dist")], { cwd: root, stdio: "inherit" });
} catch {
  console.error(
    `not tagging ${tag}: the committed actions/evaluate/dist is not the build of this commit's sources`,
  );
  process.exit(1);
}

const commit = git("rev-parse", "HEAD");
git("tag", "--annotate", tag, "--message", `embedeval action ${tag}`, commit);
console.log(`tagged ${tag} at ${commit}`);
if (!prerelease) {
  git(
    "tag",
    "--force",
    "--annotate",
    majorTag,
    "--message",
    `embedeval action ${majorTag} (now ${tag})`,
    commit,
  );
  console.log(`moved ${majorTag} to ${commit}`);
}
if (push) {
  git("push", "origin", `refs/tags/${tag}`);
  if (!prerelease) git("push", "--force", "origin", `refs/tags/${majorTag}`);
  console.log(`pushed ${prerelease ? tag : `${tag} and ${majorTag}`}`);
}
