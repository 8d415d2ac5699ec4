/**
 * What every command receives. Commands never touch process.* directly, so tests run them in-process
 * with captured output, and the action calls them as library functions.
 */
export interface CommandContext {
  /** Arguments after the command name. */
  argv: string[];
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  environment: Record<string, string | undefined>;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/** Exit codes: 0 ok, 1 evaluation failed (or regression found), 2 usage or config error. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type Command = (context: CommandContext) => Promise<number>;
