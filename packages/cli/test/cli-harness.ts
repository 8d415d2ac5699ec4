import { PassThrough } from "node:stream";
import type { CommandContext } from "../src/command-context.js";
import { runCli } from "../src/run-cli.js";

/** Runs the CLI in-process with captured output, as a user would from `cwd`. */
export async function runCliCaptured(
  argv: string[],
  cwd: string,
  environment: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
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
  const code = await runCli(context);
  return { code, stdout: out.join(""), stderr: err.join("") };
}
