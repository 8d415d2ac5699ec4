#!/usr/bin/env node
// Part of `pnpm lint`: actions/evaluate/action.yml against what GitHub requires of an action's metadata
// (actionlint checks workflows, not this file) and against the action's code: a runtime GitHub offers, a main
// file that exists, a description for every input and output, and every input the code reads or output it
// sets (by literal name) declared, and every input and output this repository's workflows use with it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";

const folder = resolve(import.meta.dirname, "../actions/evaluate");
const metadata = parse(readFileSync(join(folder, "action.yml"), "utf8"));
const problems = [];
const problem = (text) => problems.push(`actions/evaluate/action.yml: ${text}`);

for (const key of Object.keys(metadata)) {
  if (!["name", "author", "description", "inputs", "outputs", "runs", "branding"].includes(key)) {
    problem(`unknown top-level key ${key}`);
  }
}
for (const key of ["name", "description"]) {
  if (typeof metadata[key] !== "string" || metadata[key] === "") problem(`no ${key}`);
}
if (!["node20", "node24"].includes(metadata.runs?.using)) problem(`runs.using is ${metadata.runs?.using}`);
if (typeof metadata.runs?.main !== "string" || !existsSync(join(folder, metadata.runs.main))) {
  problem(`runs.main ${metadata.runs?.main} does not exist`);
}
for (const section of ["inputs", "outputs"]) {
  for (const [name, entry] of Object.entries(metadata[section] ?? {})) {
    if (typeof entry?.description !== "string" || entry.description === "")
      problem(`${section}.${name} has no description`);
  }
}

const sources = readdirSync(join(folder, "src"), { recursive: true })
  .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
  .map((file) => readFileSync(join(folder, "src", file), "utf8"))
  .join("\n");
for (const [pattern, section] of [
  [/\b(?:getInput|getBooleanInput|getMultilineInput)\("([^"]+)"/g, "inputs"],
  [/\bsetOutput\("([^"]+)"/g, "outputs"],
]) {
  for (const [, name] of sources.matchAll(pattern)) {
    if (!(name in (metadata[section] ?? {})))
      problem(`the code uses ${section}.${name}, which is not declared`);
  }
}

// The workflows that run the action from this repository (actionlint cannot read a local action's inputs).
const workflowFolder = resolve(import.meta.dirname, "../.github/workflows");
for (const file of existsSync(workflowFolder) ? readdirSync(workflowFolder) : []) {
  if (!/\.ya?ml$/.test(file)) continue;
  const text = readFileSync(join(workflowFolder, file), "utf8");
  for (const [jobName, job] of Object.entries(parse(text)?.jobs ?? {})) {
    for (const step of job?.steps ?? []) {
      if (step?.uses !== "./actions/evaluate") continue;
      const where = `.github/workflows/${file}: job ${jobName}`;
      for (const input of Object.keys(step.with ?? {})) {
        if (!(input in (metadata.inputs ?? {}))) problems.push(`${where}: the action has no input ${input}`);
      }
      if (!step.id) continue;
      for (const [, output] of text.matchAll(
        new RegExp(`steps\\.${step.id}\\.outputs\\.([A-Za-z0-9_-]+)`, "g"),
      )) {
        if (!(output in (metadata.outputs ?? {})))
          problems.push(`${where}: the action has no output ${output}`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("actions/evaluate/action.yml: valid");
