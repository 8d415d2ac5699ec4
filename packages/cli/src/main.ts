#!/usr/bin/env node
import { runCli } from "./run-cli.js";

// Ctrl-C (or SIGTERM, as CI runners and `timeout` send) stops the run: no new call starts, the calls in
// flight (already paid for) may answer within runtime.cancelGraceSeconds and are cached, and the command
// exits 130 saying what is cached. A second signal exits at once.
const controller = new AbortController();
let interrupted = false;
const onSignal = (): void => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write(
    "\nstopping: no new calls; calls in flight may still answer and are cached (Ctrl-C again to quit now)\n",
  );
  controller.abort();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

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
