#!/usr/bin/env node
import { runCli } from "./run-cli.js";

// Ctrl-C aborts the run: in-flight calls are cancelled, what arrived is already cached, and the command
// exits with a clear line. A second Ctrl-C exits at once.
const controller = new AbortController();
let interrupted = false;
process.on("SIGINT", () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write(
    "\nstopping: cancelling in-flight calls and saving what arrived (Ctrl-C again to quit now)\n",
  );
  controller.abort();
});

// `embedeval compare ... --json | head`: the reader took what it wanted and closed the pipe. That is not a
// failure of embedeval (exit 1 would read as "regression found"), so stop quietly with 0.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const code = await runCli({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  environment: process.env,
  signal: controller.signal,
});
// 130 is the shell convention for "stopped by Ctrl-C", whatever the command was doing then.
process.exitCode = interrupted ? 130 : code;
