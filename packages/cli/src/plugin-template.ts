import {
  changesetConfigTemplate,
  firstChangesetTemplate,
  tsconfigTemplate,
  tsdownConfigTemplate,
  vitestConfigTemplate,
} from "./plugin-package-templates.js";
import { readmeTemplate } from "./plugin-readme-template.js";
import { indexTemplate, providerTemplate } from "./plugin-source-templates.js";
import { serverTemplate, testTemplate } from "./plugin-test-templates.js";

/**
 * The files `embedeval new-plugin NAME` writes: a publishable provider plugin package (built to JS with
 * types, exports naming the built files, the contract as a direct caret dependency), a provider for a
 * simple JSON embeddings API to edit into the author's own, a local fake of that API, the conformance
 * tests, a README and a first changeset.
 *
 * Templates are strings with placeholders (`__Provider__`...) rather than interpolations, so the generated
 * code reads exactly as written here (String.raw where it holds a backslash). They avoid backticks and
 * dollar-brace on purpose.
 */

/** The names one package name gives the generated code. */
export interface PluginNames {
  /** The npm package name, e.g. "@acme/embedeval-provider-foo-bar". */
  packageName: string;
  /** The provider's name, e.g. "foo-bar": the package name without scope and "embedeval-provider-". */
  provider: string;
  /** "FooBar", for class names. */
  pascal: string;
  /** "fooBar", for function and constant names. */
  camel: string;
  /** "FOO_BAR", for environment variables. */
  environmentPrefix: string;
}

/** Version ranges written into the generated package.json. */
export interface TemplateVersions {
  /** The provider contract version the plugin implements, e.g. "v1". */
  specificationVersion: string;
  contract: string;
  testkit: string;
}

// An npm package name: lowercase, URL-safe, optionally scoped (the rules `npm publish` enforces).
const packageNamePattern = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

export function isValidPackageName(name: string): boolean {
  return name.length <= 214 && packageNamePattern.test(name);
}

export function pluginNames(packageName: string): PluginNames {
  const bare = packageName.replace(/^@[^/]+\//, "");
  const provider = bare.replace(/^embedeval-provider-/, "").replace(/^embedeval-/, "") || bare;
  const words = provider.split(/[^a-z0-9]+/).filter(Boolean);
  const pascal = words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join("") || "Custom";
  const prefixed = /^[0-9]/.test(pascal) ? `Provider${pascal}` : pascal;
  return {
    packageName,
    provider,
    pascal: prefixed,
    camel: prefixed[0]?.toLowerCase() + prefixed.slice(1),
    environmentPrefix: words.join("_").toUpperCase() || "CUSTOM",
  };
}

function fill(template: string, names: PluginNames, versions: TemplateVersions): string {
  return template
    .replaceAll("__package__", names.packageName)
    .replaceAll("__provider__", names.provider)
    .replaceAll("__Provider__", names.pascal)
    .replaceAll("__providerCamel__", names.camel)
    .replaceAll("__PROVIDER__", names.environmentPrefix)
    .replaceAll("__specificationVersion__", versions.specificationVersion)
    .replace(/^\n/, "");
}

/** The package's files, by path relative to its folder. */
export function pluginTemplateFiles(names: PluginNames, versions: TemplateVersions): Record<string, string> {
  const manifest = {
    name: names.packageName,
    version: "0.0.0",
    description: `An embedeval provider plugin for the ${names.provider} embeddings API.`,
    license: "Apache-2.0",
    keywords: ["embedeval", "embedeval-plugin", "embeddings"],
    type: "module",
    engines: { node: ">=20.19" },
    exports: {
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./package.json": "./package.json",
    },
    types: "./dist/index.d.ts",
    files: ["dist"],
    publishConfig: { access: "public" },
    scripts: {
      build: "tsdown",
      typecheck: "tsc -p tsconfig.json",
      // The plugin checks load the built package by its name, as embedeval does: build first.
      test: "tsdown && vitest run",
      changeset: "changeset",
      release: "tsdown && changeset publish",
      prepack: "tsdown",
    },
    dependencies: {
      // A direct dependency with a caret range, not a peer: see docs/writing-a-plugin.md.
      "@embedeval/provider-contract": versions.contract,
    },
    devDependencies: {
      "@changesets/cli": "^2.29.0",
      "@embedeval/provider-testkit": versions.testkit,
      "@types/node": "^20.19.0",
      tsdown: "^0.21.10",
      typescript: "~5.9.0",
      vitest: "^4.1.0",
    },
  };
  const files: Record<string, string> = {
    "package.json": `${JSON.stringify(manifest, null, 2)}\n`,
    "tsconfig.json": tsconfigTemplate,
    "tsdown.config.ts": tsdownConfigTemplate,
    "vitest.config.ts": vitestConfigTemplate,
    ".gitignore": "node_modules/\ndist/\n",
    "src/index.ts": indexTemplate,
    [`src/${names.provider}-embedding-provider.ts`]: providerTemplate,
    [`test/${names.provider}-server.ts`]: serverTemplate,
    [`test/${names.provider}-embedding-provider.test.ts`]: testTemplate,
    "README.md": readmeTemplate,
    ".changeset/config.json": changesetConfigTemplate,
    ".changeset/first-release.md": firstChangesetTemplate,
  };
  return Object.fromEntries(Object.entries(files).map(([path, text]) => [path, fill(text, names, versions)]));
}
