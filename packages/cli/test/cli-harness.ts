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
): Promise<CapturedRun> {
  const stdout = new PassThrough();
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
): Promise<CapturedRun> {
  return runCommandCaptured(runCli, argv, cwd, environment);
}
