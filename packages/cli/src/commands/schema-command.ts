import { configJsonSchema } from "@embedeval/core";
import type { Command } from "../command-context.js";

/** Prints the JSON Schema of embedeval.yml, for editors: `embedeval schema > embedeval.schema.json`. */
export const schemaCommand: Command = async (context) => {
  context.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
};
