import { cp, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import type { Command, CommandContext } from "../src/command-context.js";
import { runCli } from "../src/run-cli.js";

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one command in-process with captured output, as a user would from `cwd`. */
export async function runCommandCaptured(
  command: Command,
  argv: string[],
  cwd: string,
  environment: Record<string, string | undefined> = {},
  options: { terminal?: boolean } = {},
): Promise<CapturedRun> {
  // With `terminal`, stdout claims to be a terminal, as process.stdout does in an interactive shell.
  const stdout = Object.assign(new PassThrough(), options.terminal ? { isTTY: true } : {});
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on("data", (chunk: Buffer) => err.push(chunk.toString()));
  const context: CommandContext = {
    argv,
    cwd,
    stdout,
    stderr,
    environment,
    signal: new AbortController().signal,
  };
  const code = await command(context);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** The whole CLI (dispatcher included) in-process: `embedeval <argv>`. */
export function runCliCaptured(
  argv: string[],
  cwd: string,
  environment: Record<string, string | undefined> = {},
  options: { terminal?: boolean } = {},
): Promise<CapturedRun> {
  return runCommandCaptured(runCli, argv, cwd, environment, options);
}

/** Fake AWS credentials for the local servers (which do not verify signatures). */
export const testAwsEnvironment = {
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "secret",
  AWS_REGION: "us-east-1",
};

/**
 * A temporary folder holding a copy of the quickstart dataset as `data/`, and an embedeval.yml made of
 * `configLines` when given. Remove it with `rm(folder, { recursive: true, force: true })`.
 */
export async function quickstartWorkspace(prefix: string, configLines?: string[]): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), `embedeval-${prefix}-`));
  await cp(resolve(import.meta.dirname, "../../../examples/quickstart/data"), join(folder, "data"), {
    recursive: true,
  });
  if (configLines) await writeFile(join(folder, "embedeval.yml"), [...configLines, ""].join("\n"));
  return folder;
}

/** The config lines of one Titan v2 model on a local Bedrock server, over the quickstart data. */
export function titanQuickstartConfig(endpoint: string, modelLines: string[] = []): string[] {
  return [
    "models:",
    "  - id: titan",
    "    provider: bedrock",
    "    model: amazon.titan-embed-text-v2:0",
    `    options: { dimensions: 256, endpoint: "${endpoint}" }`,
    ...modelLines,
    "tasks:",
    "  - name: quickstart",
    "    path: ./data",
  ];
}
