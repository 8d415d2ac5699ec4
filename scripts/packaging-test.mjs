#!/usr/bin/env node
// The packaging test: what someone outside the monorepo gets from npm. Packs every public package (and the
// example third-party plugin) with `pnpm pack`, lints each tarball with publint and arethetypeswrong
// (ESM-only profile), installs the tarballs with plain npm in a scratch project, as a user would, then runs
// `embedeval --version`, `init` and `run` there, and a model of the plugin, loaded by its package name from
// its tarball, against the plugin's own local fake API. Then a plugin author's path: the installed CLI's
// `embedeval new-plugin` scaffolds a package, which installs (the contract and testkit from their tarballs),
// typechecks, builds, passes its own conformance test and packs; a second project installs the CLI and that
// tarball and evaluates a model of it named by its package name.
//
// Nothing here may reach a registry for an @embedeval package: npm `overrides` point every one of them at
// its tarball. onnxruntime-node's install script is left to run as on a user's machine (a machine with nvcc
// and no network but npm makes it fail), which is the case the optional dependencies exist for.
//
// Usage: node scripts/packaging-test.mjs [--report FILE] [--keep]
//   --report FILE  also writes {"passed": n, "failed": n} there (.ci/run adds it to the closing totals)
//   --keep         keeps the scratch folder and prints where it is
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const options = parseArguments(process.argv.slice(2));
const pluginFolder = join(root, "examples/custom-plugin");
const checks = { passed: 0, failed: 0 };
const started = Date.now();

/**
 * One named check: its failure is printed with what was seen, and the run goes on to the next.
 * Resolves to whether it passed, for the checks that need an earlier one.
 */
async function check(name, body) {
  const start = Date.now();
  try {
    await body();
    checks.passed++;
    console.log(`  ok    ${name} (${seconds(start)})`);
    return true;
  } catch (error) {
    checks.failed++;
    console.log(
      `  FAIL  ${name} (${seconds(start)})\n${indent(error instanceof Error ? error.message : String(error))}`,
    );
    return false;
  }
}

/** Checks that each need the one before: after a failure the rest are named as skipped, not run. */
async function checkInOrder(steps) {
  for (const [index, [name, body]] of steps.entries()) {
    if (await check(name, body)) continue;
    for (const [skipped] of steps.slice(index + 1)) console.log(`  skip  ${skipped} (needs the check above)`);
    return false;
  }
  return true;
}

const scratch = await mkdtemp(join(tmpdir(), "embedeval-packaging-"));
const tarballFolder = join(scratch, "tarballs");
const project = join(scratch, "project");
await mkdir(tarballFolder);
await mkdir(project);

try {
  console.log(`packaging test in ${scratch}`);
  // The dist folders are what is packed; turbo rebuilds only what changed (usually nothing after install).
  await run(
    "pnpm",
    [
      "exec",
      "turbo",
      "run",
      "build",
      "--output-logs=errors-only",
      "--filter=./packages/*",
      "--filter=./examples/custom-plugin",
    ],
    { cwd: root, timeoutSeconds: 600 },
  );

  const packages = await publicPackages();
  const tarballs = new Map();
  for (const folder of [...packages, pluginFolder]) {
    const manifest = await readJson(join(folder, "package.json"));
    await check(`pack ${manifest.name}`, async () => {
      const { stdout } = await run("pnpm", ["pack", "--pack-destination", tarballFolder], { cwd: folder });
      const tarball = stdout
        .trim()
        .split("\n")
        .findLast((line) => line.endsWith(".tgz"));
      if (!tarball || !existsSync(tarball)) throw new Error(`pnpm pack named no tarball:\n${stdout}`);
      tarballs.set(manifest.name, tarball);
      await checkPackedFiles(manifest.name, tarball, folder === pluginFolder);
    });
  }

  // In this process, not a CLI per tarball: TypeScript loads once (ten `attw` runs took 100 s, this 15 s).
  const { publint } = await import("publint");
  const { formatMessage } = await import("publint/utils");
  const typesCheck = await import("@arethetypeswrong/core");
  for (const [name, tarball] of tarballs) {
    const data = new Uint8Array(await readFile(tarball));
    await check(`publint --strict ${name}`, async () => {
      const { messages, pkg } = await publint({ pack: { tarball: data.slice().buffer }, strict: true });
      if (messages.length > 0) {
        throw new Error(
          messages
            .map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false })}`)
            .join("\n"),
        );
      }
    });
    await check(`arethetypeswrong --profile esm-only ${name}`, async () => {
      const analysis = await typesCheck.checkPackage(typesCheck.createPackageFromTarballData(data));
      if (!analysis.types) throw new Error("the package ships no types");
      // The esm-only profile of @arethetypeswrong/cli: CommonJS consumers (node10, node16 from CJS) are out of scope.
      const problems = analysis.problems.filter(
        (problem) =>
          !("resolutionKind" in problem) || !["node10", "node16-cjs"].includes(problem.resolutionKind),
      );
      if (problems.length > 0) {
        throw new Error(
          `${problems.map((problem) => JSON.stringify(problem)).join("\n")}\n` +
            `the table: pnpm exec attw ${basename(tarball)} --profile esm-only (in ${tarballFolder}, with --keep)`,
        );
      }
    });
  }

  const cliTarball = tarballs.get("@embedeval/cli");
  const pluginManifest = await readJson(join(pluginFolder, "package.json"));
  const pluginTarball = tarballs.get(pluginManifest.name);
  if (!cliTarball || !pluginTarball)
    throw new Error("the CLI or the example plugin did not pack: nothing to install");

  // A user's project: `npm install @embedeval/cli <plugin>`; every @embedeval package comes from its tarball.
  // (Not the CLI itself: npm refuses an override of a direct dependency.)
  const overrides = Object.fromEntries(
    [...tarballs]
      .filter(([name]) => name.startsWith("@embedeval/") && name !== "@embedeval/cli")
      .map(([name, tarball]) => [name, `file:${tarball}`]),
  );
  await writeFile(
    join(project, "package.json"),
    `${JSON.stringify({ name: "packaging-test-project", private: true, type: "module", overrides }, null, 2)}\n`,
  );
  let installed = false;
  await check("npm install @embedeval/cli and the plugin from their tarballs", async () => {
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", cliTarball, pluginTarball], {
      cwd: project,
      environment: userEnvironment(),
      timeoutSeconds: 900,
    });
    installed = true;
  });
  if (!installed) throw new Error("the install failed: the remaining checks need it");

  const installedVersion = (await readJson(join(project, "node_modules/@embedeval/cli/package.json")))
    .version;
  const coreVersion = (await readJson(join(project, "node_modules/@embedeval/core/package.json"))).version;
  const fastSearchInstalled = await loadsInProject("@embedeval/search-onnx");

  await check("embedeval --version prints the installed package.json version", async () => {
    const { stdout } = await embedeval(["--version"]);
    if (installedVersion !== coreVersion) {
      throw new Error(
        `@embedeval/cli ${installedVersion} and @embedeval/core ${coreVersion} are released with one version`,
      );
    }
    if (stdout.trim() !== installedVersion)
      throw new Error(`printed ${stdout.trim()}, package.json says ${installedVersion}`);
  });

  await check("embedeval init writes a config and the schema its editor line names", async () => {
    await embedeval(["init"]);
    const config = await readFile(join(project, "embedeval.yml"), "utf8");
    const schemaLine = config.match(/yaml-language-server: \$schema=(\S+)/);
    if (!schemaLine) throw new Error("the config has no yaml-language-server line");
    JSON.parse(await readFile(join(project, schemaLine[1]), "utf8"));
  });

  // The starter config reads ./data/my-dataset: the quickstart's small BEIR folder.
  await cp(join(root, "examples/quickstart/data"), join(project, "data/my-dataset"), { recursive: true });
  await check("embedeval run evaluates the starter config and names its search once", async () => {
    const { stderr } = await embedeval(["run"]);
    const searchLines = stderr.split("\n").filter((line) => line.startsWith("search: "));
    if (searchLines.length !== 1) throw new Error(`expected one "search: " line, got:\n${stderr}`);
    const expected = fastSearchInstalled ? /^search: onnxruntime-node / : /^search: portable WebAssembly/;
    if (!expected.test(searchLines[0])) {
      throw new Error(
        `@embedeval/search-onnx ${fastSearchInstalled ? "loads" : "is absent"}, yet: ${searchLines[0]}`,
      );
    }
    const files = await resultFiles(join(project, "embedeval-results"));
    if (files.length < 2)
      throw new Error(`expected a result file per model, found ${files.join(", ") || "none"}`);
    for (const file of files) {
      const result = await readJson(file);
      if (result.embedeval?.version !== installedVersion) {
        throw new Error(
          `${file} records embedeval ${result.embedeval?.version}, installed is ${installedVersion}`,
        );
      }
    }
    console.log(`        (${searchLines[0]})`);
  });

  await check("embedeval report --html inlines Chart.js from the installed chart.js package", async () => {
    await embedeval(["report", "embedeval-results", "--config", "embedeval.yml", "--html", "report.html"]);
    const page = await readFile(join(project, "report.html"), "utf8");
    if (!page.includes("<script>/*!\n * Chart.js v4."))
      throw new Error("report.html has no inlined Chart.js");
    if (!page.includes('<canvas id="quality-vs-cost"')) throw new Error("report.html has no cost chart");
  });

  await check(
    `a model of ${pluginManifest.name}, loaded by name from its tarball, runs against its fake API`,
    async () => {
      await writeFile(join(project, "run-plugin.mjs"), pluginRunner(pluginManifest.name));
      await run("node", ["run-plugin.mjs"], {
        cwd: project,
        environment: userEnvironment(),
        timeoutSeconds: 300,
      });
    },
  );

  await checkScaffoldedPlugin({ tarballs, cliTarball, overrides });
} catch (error) {
  checks.failed++;
  console.log(`  FAIL  ${error instanceof Error ? error.message : error}`);
} finally {
  if (options.keep) console.log(`kept ${scratch}`);
  else await rm(scratch, { recursive: true, force: true });
}

console.log(`packaging: ${checks.passed} passed, ${checks.failed} failed (${seconds(started)})`);
if (options.report) await writeFile(options.report, `${JSON.stringify(checks)}\n`);
process.exitCode = checks.failed > 0 ? 1 : 0;

/**
 * The plugin author's path, with what npm gives them: the installed CLI's `embedeval new-plugin` writes a
 * package beside the user's project; plain npm installs its dependencies (the contract and the testkit
 * from their tarballs, as they are not on the registry; its tools, such as tsdown, typescript and vitest,
 * from the registry); it typechecks against the packed declarations, builds, passes its own conformance
 * test and packs. The CLI that scaffolds is installed alone in a second project (no testkit beside it),
 * which then installs that tarball too and evaluates a model of the plugin named by its package name,
 * against the fake API the package's tests use.
 */
async function checkScaffoldedPlugin({ tarballs, cliTarball, overrides }) {
  // Scoped, as most plugins are: the folder drops the scope, the package keeps it.
  const name = "@packaging-test/embedeval-provider-scaffolded";
  // What the templates derive from that name (plugin-template.ts pluginNames): provider "scaffolded".
  const derived = {
    serverFile: "test/scaffolded-server.ts",
    server: "startScaffoldedServer",
    apiKeyVariable: "SCAFFOLDED_API_KEY",
  };
  const model = "scaffolded-embed-1";
  // Outside both projects, so that nothing it lacks resolves from a project's node_modules.
  const pluginPackage = join(scratch, "embedeval-provider-scaffolded");
  const userProject = join(scratch, "plugin-user-project");
  const fromTarballs = ["@embedeval/provider-contract", "@embedeval/provider-testkit"];
  const tarballManifests = {};
  let written = "";
  let pluginTarball = "";

  const inPackage = (args, timeoutSeconds = 300) =>
    run("npm", args, { cwd: pluginPackage, environment: userEnvironment(), timeoutSeconds });

  const inUserProject = (args, timeoutSeconds = 300) =>
    run(args[0], args.slice(1), { cwd: userProject, environment: userEnvironment(), timeoutSeconds });

  await checkInOrder([
    [
      "npm install @embedeval/cli alone in a second project",
      async () => {
        await mkdir(userProject);
        const manifest = { name: "plugin-user-project", private: true, type: "module", overrides };
        await writeFile(join(userProject, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
        await inUserProject(
          ["npm", "install", "--no-audit", "--no-fund", "--prefer-offline", cliTarball],
          900,
        );
        // So the scaffolder below finds no testkit beside the CLI and writes the range the CLI was released with.
        if (existsSync(join(userProject, "node_modules/@embedeval/provider-testkit")))
          throw new Error("@embedeval/provider-testkit was installed with the CLI; only its tests need it");
      },
    ],
    [
      `embedeval new-plugin ${name} writes a package asking for the released contract and testkit`,
      async () => {
        await inUserProject([
          "npx",
          "--no-install",
          "embedeval",
          "new-plugin",
          name,
          "--directory",
          pluginPackage,
        ]);
        written = await readFile(join(pluginPackage, "package.json"), "utf8");
        const manifest = JSON.parse(written);
        const ranges = { ...manifest.devDependencies, ...manifest.dependencies };
        for (const dependency of fromTarballs) {
          const tarball = tarballs.get(dependency);
          if (!tarball) throw new Error(`${dependency} did not pack`);
          const { stdout } = await run("tar", ["-xzOf", tarball, "package/package.json"]);
          tarballManifests[dependency] = JSON.parse(stdout);
          const expected = `^${tarballManifests[dependency].version}`;
          if (ranges[dependency] !== expected) {
            throw new Error(
              `package.json asks for ${dependency} ${ranges[dependency]}, expected ${expected}`,
            );
          }
        }
        if (manifest.dependencies?.["@embedeval/provider-contract"] === undefined)
          throw new Error("the contract is not a dependency (a plugin needs it at run time)");
      },
    ],
    [
      "npm install in the scaffolded package: @embedeval packages from their tarballs, its tools from the registry",
      async () => {
        // `--no-save`: npm takes the tarballs for these dependencies and leaves package.json (which is packed
        // below) with the ranges the scaffolder wrote.
        const localTarballs = fromTarballs.map((dependency) => tarballs.get(dependency));
        await inPackage(
          ["install", "--no-save", "--no-audit", "--no-fund", "--prefer-offline", ...localTarballs],
          900,
        );
        if ((await readFile(join(pluginPackage, "package.json"), "utf8")) !== written)
          throw new Error("npm install changed package.json");
        const lock = await readJson(join(pluginPackage, "node_modules/.package-lock.json"));
        const embedevalPackages = Object.entries(lock.packages).filter(([path]) =>
          path.includes("@embedeval/"),
        );
        const notLocal = embedevalPackages.filter(([, entry]) => !entry.resolved?.startsWith("file:"));
        if (notLocal.length > 0) {
          throw new Error(
            `not from a local tarball: ${notLocal.map(([path, entry]) => `${path} (${entry.resolved})`).join(", ")}`,
          );
        }
        const installedNames = embedevalPackages.map(([path]) => path.replace(/^.*node_modules\//, ""));
        const missing = fromTarballs.filter((dependency) => !installedNames.includes(dependency));
        if (missing.length > 0) throw new Error(`not installed: ${missing.join(", ")}`);
      },
    ],
    [
      "the scaffolded package typechecks against the packed declarations (npm run typecheck)",
      () => inPackage(["run", "typecheck"]),
    ],
    [
      "the scaffolded package builds its exports (npm run build)",
      async () => {
        await inPackage(["run", "build"]);
        const manifest = JSON.parse(written);
        const exported = Object.values(manifest.exports["."]);
        const absent = exported.filter((file) => !existsSync(join(pluginPackage, file)));
        if (absent.length > 0)
          throw new Error(`exports name files the build did not write: ${absent.join(", ")}`);
      },
    ],
    ["the scaffolded package passes its own conformance test (npm test)", () => inPackage(["test"], 600)],
    [
      "npm pack packs the scaffolded package's built files and its caret ranges",
      async () => {
        const { stdout } = await inPackage(["pack", "--pack-destination", tarballFolder]);
        const packedName = stdout.trim().split("\n").at(-1) ?? "";
        pluginTarball = join(tarballFolder, packedName);
        if (!packedName.endsWith(".tgz") || !existsSync(pluginTarball))
          throw new Error(`npm pack named no tarball:\n${stdout}`);
        const { stdout: listing } = await run("tar", ["-tzf", pluginTarball]);
        const files = listing.split("\n").map((line) => line.replace(/^package\//, ""));
        const exported = Object.values(JSON.parse(written).exports["."]).map((file) =>
          file.replace(/^\.\//, ""),
        );
        const missing = ["package.json", "README.md", ...exported].filter((file) => !files.includes(file));
        if (missing.length > 0) throw new Error(`${packedName} lacks ${missing.join(", ")}`);
        const { stdout: packed } = await run("tar", ["-xzOf", pluginTarball, "package/package.json"]);
        if (packed !== written)
          throw new Error(`the packed package.json differs from the written one:\n${packed}`);
      },
    ],
    [
      "npm install the scaffolded plugin's tarball in the second project, beside the CLI",
      () =>
        inUserProject(["npm", "install", "--no-audit", "--no-fund", "--prefer-offline", pluginTarball], 900),
    ],
    [
      `embedeval run scores a model of ${name}, named by its package name, against the package's fake API`,
      async () => {
        await cp(join(root, "examples/quickstart/data"), join(userProject, "data/my-dataset"), {
          recursive: true,
        });
        // In the plugin's folder, where its test server's imports resolve; the CLI runs in the user's project.
        await writeFile(
          join(pluginPackage, "evaluate-in-project.mjs"),
          scaffoldedPluginRunner({ name, model, ...derived, userProject }),
        );
        await run("node", ["evaluate-in-project.mjs"], {
          cwd: pluginPackage,
          environment: userEnvironment(),
          timeoutSeconds: 300,
        });
        const files = (await resultFiles(join(userProject, "scaffolded-results"))).filter(
          (file) => basename(file) === "my-dataset.json",
        );
        if (files.length !== 1)
          throw new Error(`expected one my-dataset.json, found ${files.join(", ") || "none"}`);
        const result = await readJson(files[0]);
        const scores = result.scores?.test?.[0];
        const score = scores?.ndcg_at_10;
        // The fake API's vectors hash the texts' words: better than nothing, never perfect.
        if (typeof score !== "number" || !(score > 0 && score < 1)) {
          throw new Error(`${files[0]}: ndcg_at_10 is ${score}, expected a score between 0 and 1`);
        }
        if (result.task_name !== "my-dataset" || scores.main_score !== score) {
          throw new Error(
            `${files[0]}: task_name ${result.task_name}, main_score ${scores.main_score} (ndcg_at_10 ${score})`,
          );
        }
        console.log(`        (ndcg_at_10 ${score.toFixed(3)})`);
      },
    ],
  ]);
}

/** packages/* that are published: not private. */
async function publicPackages() {
  const folders = [];
  for (const entry of await readdir(join(root, "packages"), { withFileTypes: true })) {
    const manifestFile = join(root, "packages", entry.name, "package.json");
    if (!entry.isDirectory() || !existsSync(manifestFile)) continue;
    if (!(await readJson(manifestFile)).private) folders.push(join(root, "packages", entry.name));
  }
  return folders.sort();
}

/** What publint cannot see: the packed manifest is the published one, and the legal files are in. */
async function checkPackedFiles(name, tarball, isExample) {
  const { stdout: listing } = await run("tar", ["-tzf", tarball]);
  const files = new Set(listing.split("\n").map((line) => line.replace(/^package\//, "")));
  const required = isExample ? ["package.json", "README.md"] : ["package.json", "README.md", "LICENSE"];
  const missing = required.filter((file) => !files.has(file));
  if (missing.length > 0) throw new Error(`${basename(tarball)} lacks ${missing.join(", ")}`);
  const { stdout: packed } = await run("tar", ["-xzOf", tarball, "package/package.json"]);
  if (packed.includes("@embedeval/source")) {
    throw new Error(
      `the packed package.json of ${name} still names the @embedeval/source condition (./src is not packed)`,
    );
  }
  if (packed.includes("workspace:"))
    throw new Error(`the packed package.json of ${name} has workspace: ranges`);
}

/** The environment of a user's shell: none of CI's switches for onnxruntime, none of pnpm's npm_ variables. */
function userEnvironment(extra = {}) {
  const environment = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|ONNXRUNTIME_NODE_INSTALL)/i.test(key) || key === "EMBEDEVAL_SEARCH") continue;
    environment[key] = value;
  }
  return { ...environment, ...extra };
}

function embedeval(args, extra = {}) {
  return run("npx", ["--no-install", "embedeval", ...args], {
    cwd: project,
    environment: userEnvironment(extra),
    timeoutSeconds: 300,
  });
}

/** Whether a package imports in the scratch project (the optional ones may have been dropped by npm). */
async function loadsInProject(name) {
  const probe = `import(${JSON.stringify(name)}).then(() => process.exit(0), () => process.exit(1));`;
  try {
    await run("node", ["--input-type=module", "--eval", probe], {
      cwd: project,
      environment: userEnvironment(),
    });
    return true;
  } catch {
    return false;
  }
}

async function resultFiles(folder) {
  if (!existsSync(folder)) return [];
  const entries = await readdir(folder, { recursive: true });
  return entries
    .filter(
      (entry) =>
        entry.endsWith(".json") && !entry.endsWith("model_meta.json") && !entry.endsWith("_predictions.json"),
    )
    .map((entry) => join(folder, entry));
}

/**
 * Run inside the scratch project, so that every import resolves from its node_modules as a user's would:
 * starts the plugin's fake API (its ./testing export), runs `embedeval run` on a config naming the plugin's
 * package as the provider, and checks that the API was called and a result was written.
 */
function pluginRunner(pluginName) {
  return `import { spawn } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { startAcmeServer } from "${pluginName}/testing";

const apiKey = "packaging-test-key";
const server = await startAcmeServer({ apiKey });
try {
  writeFileSync(
    "plugin.yml",
    [
      "name: plugin",
      "models:",
      "  - id: acme",
      '    provider: "${pluginName}"',
      "    model: acme-embed-1",
      \`    options: { endpoint: "\${server.url}", dimensions: 128 }\`,
      "tasks:",
      "  - name: my-dataset",
      "    path: ./data/my-dataset",
      "    splits: [test]",
      "output:",
      "  directory: plugin-results",
      "",
    ].join("\\n"),
  );
  // Asynchronously: the fake API answers from this process's event loop while the CLI runs.
  const child = spawn("npx", ["--no-install", "embedeval", "run", "--config", "plugin.yml"], {
    env: { ...process.env, ACME_API_KEY: apiKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => { output += chunk; });
  child.stderr.on("data", (chunk) => { output += chunk; });
  const status = await new Promise((resolve) => child.on("close", resolve));
  if (status !== 0) {
    console.error(\`embedeval run exited with \${status}:\\n\${output}\`);
    process.exitCode = 1;
  } else if (server.calls.length === 0) {
    console.error("embedeval run succeeded without calling the plugin's API");
    process.exitCode = 1;
  } else if (!readdirSync("plugin-results", { recursive: true }).some((file) => String(file).endsWith(".json"))) {
    console.error("embedeval run wrote no result file for the plugin's model");
    process.exitCode = 1;
  }
} finally {
  await server.close();
}
`;
}

/**
 * Run in the scaffolded package's folder: compiles its test server (TypeScript, and Node 20 strips no
 * types) with the package's own typescript, starts it, and runs `embedeval run` in the user's project on a
 * config naming the plugin's package as a model's provider.
 */
function scaffoldedPluginRunner({ name, model, serverFile, server, apiKeyVariable, userProject }) {
  return `import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const serverSource = readFileSync(${JSON.stringify(serverFile)}, "utf8");
const compiled = ts.transpileModule(serverSource, {
  compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
}).outputText;
writeFileSync(${JSON.stringify(serverFile.replace(/\.ts$/, ".mjs"))}, compiled);
const { ${server} } = await import(${JSON.stringify(`./${serverFile.replace(/\.ts$/, ".mjs")}`)});

const project = ${JSON.stringify(userProject)};
const apiKey = "packaging-test-key";
const server = await ${server}({ apiKey });
try {
  writeFileSync(
    join(project, "scaffolded.yml"),
    [
      "models:",
      "  - id: scaffolded",
      '    provider: "${name}"',
      "    model: ${model}",
      \`    options: { endpoint: "\${server.url}" }\`,
      "tasks:",
      "  - name: my-dataset",
      "    path: ./data/my-dataset",
      "    splits: [test]",
      "output:",
      "  directory: scaffolded-results",
      "",
    ].join("\\n"),
  );
  // Asynchronously: the fake API answers from this process's event loop while the CLI runs.
  const child = spawn("npx", ["--no-install", "embedeval", "run", "--config", "scaffolded.yml"], {
    cwd: project,
    env: { ...process.env, ${apiKeyVariable}: apiKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => { output += chunk; });
  child.stderr.on("data", (chunk) => { output += chunk; });
  const status = await new Promise((resolve) => child.on("close", resolve));
  if (status !== 0) {
    console.error(\`embedeval run exited with \${status}:\\n\${output}\`);
    process.exitCode = 1;
  } else if (server.calls.length === 0) {
    console.error("embedeval run succeeded without calling the plugin's API");
    process.exitCode = 1;
  }
} finally {
  await server.close();
}
`;
}

/** Runs a command; rejects with its output when it exits non-zero or outlives its time. */
function run(command, args, { cwd = root, environment = process.env, timeoutSeconds = 120 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: environment, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutSeconds * 1000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise({ stdout, stderr });
      else {
        const how = signal ? `was stopped by ${signal} (limit ${timeoutSeconds} s)` : `exited with ${code}`;
        reject(new Error(`${command} ${args.join(" ")} ${how}\n${tail(stdout)}\n${tail(stderr)}`));
      }
    });
  });
}

async function readJson(file) {
  return JSON.parse(await readFile(file, "utf8"));
}

function parseArguments(args) {
  const parsed = { report: undefined, keep: false };
  for (let index = 0; index < args.length; index++) {
    if (args[index] === "--report") parsed.report = args[++index];
    else if (args[index] === "--keep") parsed.keep = true;
    else
      throw new Error(
        `unknown argument ${args[index]}: usage: node scripts/packaging-test.mjs [--report FILE] [--keep]`,
      );
  }
  return parsed;
}

function tail(text, lines = 40) {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function indent(text) {
  return text.replace(/^/gm, "        ");
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
