import { mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { providerSpecificationVersion, UsageError } from "@embedeval/core";
import { type Command, ExitCode } from "../command-context.js";
import { parseCommandArguments } from "../parse-command-arguments.js";
import { isValidPackageName, pluginNames, pluginTemplateFiles } from "../plugin-template.js";
import { newPluginDependencyRange } from "./new-plugin-dependency-range.js";

const help = `Usage: embedeval new-plugin NAME [--directory DIR]

Writes a publishable embedeval provider plugin package called NAME (an npm package name, such as
embedeval-provider-acme or @acme/embedeval-provider-acme) into DIR (default: the name without its scope):
a provider for a placeholder JSON API to edit into yours, built to JavaScript with type declarations,
exports naming the built files, @embedeval/provider-contract as a direct caret dependency, a local fake
of the API, the provider and plugin conformance tests, a README and a first changeset.

Then: cd DIR && npm install && npm test. The guide: docs/writing-a-plugin.md.

Options:
  -d, --directory DIR   where to write the package (must not exist, or be empty)`;

export const newPluginCommand: Command = async (context) => {
  const { values, positionals } = parseCommandArguments("new-plugin", {
    args: context.argv,
    allowPositionals: true,
    options: {
      directory: { type: "string", short: "d" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    context.stdout.write(`${help}\n`);
    return ExitCode.ok;
  }
  const [packageName, ...extra] = positionals;
  if (packageName === undefined || extra.length > 0) {
    throw new UsageError(`new-plugin takes one package name; got ${positionals.length}`, {
      hint: "Example: embedeval new-plugin embedeval-provider-acme (see `embedeval new-plugin --help`).",
    });
  }
  if (!isValidPackageName(packageName)) {
    throw new UsageError(`\`${packageName}\` is not a valid npm package name`, {
      hint: "Use lowercase letters, digits and - . _ ~, optionally with a scope: @acme/embedeval-provider-acme.",
    });
  }
  const names = pluginNames(packageName);
  const folder = resolve(context.cwd, values.directory ?? packageName.replace(/^@[^/]+\//, ""));
  const existing = await readdir(folder).catch(() => undefined);
  if (existing !== undefined && existing.length > 0) {
    throw new UsageError(`${relative(context.cwd, folder) || folder} already exists and is not empty`, {
      hint: "Choose another folder with --directory, or remove this one.",
    });
  }

  const files = pluginTemplateFiles(names, {
    specificationVersion: providerSpecificationVersion,
    // The contract this embedeval runs with, so the plugin and the engine agree on its version.
    contract: await newPluginDependencyRange("@embedeval/provider-contract"),
    testkit: await newPluginDependencyRange("@embedeval/provider-testkit"),
  });
  for (const [path, text] of Object.entries(files)) {
    const file = join(folder, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  const relativeFolder = relative(context.cwd, folder);
  const shown = relativeFolder === "" ? "." : relativeFolder.startsWith("..") ? folder : relativeFolder;
  context.stdout.write(
    [
      `wrote ${packageName} (provider \`${names.provider}\`, contract ${providerSpecificationVersion}) in ${shown}/:`,
      ...Object.keys(files).map((path) => `  ${path}`),
      "",
      "next:",
      `  cd ${shown} && npm install && npm test`,
      `  edit src/${names.provider}-embedding-provider.ts (and test/${names.provider}-server.ts) to your API's wire format`,
      "  the guide: https://github.com/embedeval/embedeval/blob/main/docs/writing-a-plugin.md",
      "",
    ].join("\n"),
  );
  return ExitCode.ok;
};
