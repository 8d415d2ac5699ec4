import { configJsonSchema } from "@embedeval/core";
import { type Command, ExitCode } from "../command-context.js";
import { parseCommandArguments } from "../parse-command-arguments.js";

const help = `Usage: embedeval schema

Prints the JSON Schema of embedeval.yml, for editors and validators:
  embedeval schema > embedeval.schema.json
and in the config: # yaml-language-server: $schema=./embedeval.schema.json`;

/** Prints the JSON Schema of embedeval.yml, for editors: `embedeval schema > embedeval.schema.json`. */
export const schemaCommand: Command = async (context) => {
  const { values } = parseCommandArguments("schema", {
    args: context.argv,
    options: { help: { type: "boolean", short: "h", default: false } },
    allowPositionals: false,
  });
  if (values.help) {
    context.stdout.write(`${help}\n`);
    return ExitCode.ok;
  }
  context.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return ExitCode.ok;
};
