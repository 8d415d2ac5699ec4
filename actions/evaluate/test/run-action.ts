import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const actionDirectory = resolve(import.meta.dirname, "..");
export const distEntry = join(actionDirectory, "dist/index.js");

/** Builds dist/index.js once if it is missing (CI's .ci/check-dist keeps the committed one current). */
export async function ensureDist(): Promise<void> {
  if (existsSync(distEntry) && (await readFile(distEntry, "utf8")).length > 1000) return;
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, ["build.mjs"], { cwd: actionDirectory, stdio: "inherit" });
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`build.mjs exited with ${code}`))));
  });
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

export interface ActionRunOptions {
  apiUrl: string;
  workspace: string;
  eventName: string;
  event: Record<string, unknown>;
  sha: string;
  ref: string;
  /** Action inputs by their action.yml names (kebab-case). */
  inputs: Record<string, string>;
  /** Extra environment variables (e.g. the cache service's). */
  environment?: Record<string, string>;
  /** Called with the running process (e.g. to send it SIGTERM, as a cancelled job's runner does). */
  control?: (child: ChildProcess) => void;
}

/**
 * Runs the bundled action as the runner does: `node dist/index.js` with INPUT_* variables (name uppercased,
 * spaces to underscores, dashes kept, as @actions/core reads them), an event payload file, and the
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. The environment is built from scratch: nothing leaks in.
 */
export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const files = await mkdtemp(join(tmpdir(), "embedeval-action-files-"));
  const eventPath = join(files, "event.json");
  const outputPath = join(files, "output.txt");
  const summaryPath = join(files, "summary.md");
  await writeFile(eventPath, JSON.stringify(options.event));
  await writeFile(outputPath, "");
  await writeFile(summaryPath, "");
  const environment: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: files,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_GRAPHQL_URL: `${options.apiUrl}/graphql`,
    GITHUB_REPOSITORY: "octo-org/retrieval",
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: options.sha,
    GITHUB_REF: options.ref,
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_NUMBER: "7",
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: files,
    NO_PROXY: "127.0.0.1",
  };
  Object.assign(environment, options.environment);
  for (const [name, value] of Object.entries(options.inputs)) {
    environment[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  }
  const child = spawn(process.execPath, [distEntry], { cwd: options.workspace, env: environment });
  options.control?.(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
  const code = await new Promise<number>((done) => child.on("close", (status) => done(status ?? -1)));
  return {
    code,
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
    outputs: parseOutputs(await readFile(outputPath, "utf8")),
    summary: await readFile(summaryPath, "utf8"),
  };
}

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1] as string] = match[3] as string;
  return outputs;
}
