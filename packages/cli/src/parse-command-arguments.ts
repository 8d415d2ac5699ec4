import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "@embedeval/core";

/** node:util parseArgs, with its TypeErrors turned into usage errors that say how to get help. */
export function parseCommandArguments<T extends ParseArgsConfig>(
  command: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message, { hint: `Run \`embedeval ${command} --help\`.` });
  }
}
