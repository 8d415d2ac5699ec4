#!/usr/bin/env bash
# Rebuilds actions/evaluate/dist/index.js from the COMMITTED sources (HEAD), in a temporary git worktree,
# so that uncommitted work elsewhere in the checkout (other people's, in a shared tree) never ends up in the
# bundle. .ci/check-dist rebuilds from a fresh clone and compares, so this is what it will expect.
# Usage: actions/evaluate/scripts/build-dist-from-head.sh   (then commit actions/evaluate/dist)
set -euo pipefail
root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
worktree="$(mktemp -d)/embedeval-dist"
trap 'git -C "$root" worktree remove --force "$worktree" >/dev/null 2>&1 || true' EXIT
git -C "$root" worktree add --quiet --detach "$worktree" HEAD
(cd "$worktree" && pnpm install --offline --frozen-lockfile --ignore-scripts >/dev/null 2>&1 \
  || pnpm install --frozen-lockfile --ignore-scripts >/dev/null)
node "$worktree/actions/evaluate/build.mjs"
cp "$worktree/actions/evaluate/dist/index.js" "$root/actions/evaluate/dist/index.js"
echo "built actions/evaluate/dist/index.js from $(git -C "$root" rev-parse --short HEAD)"
