/**
 * The conformance suite must be able to fail: it is run (in a child vitest process, so its failures
 * do not fail this file) against providers that each break one rule, and every break must fail the
 * check that guards that rule, while a sound provider passes every check.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

interface JsonReport {
  testResults: Array<{
    assertionResults: Array<{ ancestorTitles: string[]; title: string; status: string }>;
  }>;
}

const run = promisify(execFile);
const vitestCli = join(createRequire(import.meta.url).resolve("vitest/package.json"), "..", "vitest.mjs");
const fixtures = join(import.meta.dirname, "fixtures");

it("fails exactly the check each broken provider breaks, and passes a sound one", async () => {
  const folder = await mkdtemp(join(tmpdir(), "embedeval-conformance-"));
  try {
    const report = join(folder, "report.json");
    // The child run fails on purpose (exit code 1); the JSON report says what failed.
    await run(
      process.execPath,
      [
        vitestCli,
        "run",
        "--config",
        join(fixtures, "vitest.config.ts"),
        "--reporter=json",
        `--outputFile=${report}`,
      ],
      { cwd: fixtures },
    ).catch(() => undefined);
    const results = (JSON.parse(await readFile(report, "utf8")) as JsonReport).testResults.flatMap(
      (file) => file.assertionResults,
    );
    const failed = results
      .filter((result) => result.status === "failed")
      .map(
        (result) =>
          `${result.ancestorTitles.at(-1)?.replace(/^(provider|plugin) conformance: /, "")} | ${result.title}`,
      );
    expect(failed.sort()).toEqual(
      [
        "reversed order | returns vectors in input order (each equals the text's vector embedded alone)",
        "NaN in a vector | embeds query texts: one finite Float32Array per text, of the declared dimension, with usage",
        "NaN in a vector | embeds document texts: one finite Float32Array per text, of the declared dimension, with usage",
        "NaN in a vector | returns vectors in input order (each equals the text's vector embedded alone)",
        "short vectors | embeds query texts: one finite Float32Array per text, of the declared dimension, with usage",
        "short vectors | embeds document texts: one finite Float32Array per text, of the declared dimension, with usage",
        "unserialisable vectorOptions | has JSON-serialisable vectorOptions that are the same for the same configuration",
        'plain errors | reports "bad request" as a ProviderError (retryable: false)',
        "ignores the signal | rejects a call whose signal is already aborted, with the signal's reason",
        "plugin for contract v2 | exports a plugin object embedeval accepts: contract version, name, create()",
        "model reporting v2 | creates a model of the same contract version that embeds or retrieves",
        "exports TypeScript | loads by its package name in plain Node, from its built files, as embedeval loads it",
        "contract as a dev dependency | depends on @embedeval/provider-contract directly, so it installs with the plugin",
      ].sort(),
    );
    const soundPlugin = results.filter(
      (result) => result.ancestorTitles.at(-1) === "plugin conformance: sound",
    );
    expect(soundPlugin.length).toBe(4);
    expect(soundPlugin.every((result) => result.status === "passed")).toBe(true);
    const sound = results.filter(
      (result) => result.ancestorTitles.at(-1) === "provider conformance: sound provider",
    );
    expect(sound.length).toBeGreaterThan(5);
    expect(sound.every((result) => result.status === "passed")).toBe(true);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
