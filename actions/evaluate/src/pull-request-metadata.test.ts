import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  metadataFileName,
  pullRequestFromPayload,
  readPullRequestMetadata,
  writePullRequestMetadata,
} from "./pull-request-metadata.js";
import { configSlug, resultsPath } from "./results-branch-store.js";

describe("pull request metadata (travels with the results artifact)", () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "embedeval-metadata-"));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it("round-trips what a pull_request run writes", async () => {
    const metadata = pullRequestFromPayload({
      pull_request: {
        number: 5,
        base: { sha: "a".repeat(40) },
        head: { sha: "b".repeat(40), repo: { full_name: "x/y" } },
      },
    });
    expect(metadata).toEqual({
      number: 5,
      baseSha: "a".repeat(40),
      headSha: "b".repeat(40),
      headRepository: "x/y",
    });
    await writePullRequestMetadata(directory, metadata as NonNullable<typeof metadata>);
    expect(await readPullRequestMetadata(directory)).toEqual(metadata);
  });

  it("rejects what a fork could forge: non-numeric numbers, non-SHA commits, broken JSON", async () => {
    for (const content of [
      JSON.stringify({ number: "5; rm -rf", baseSha: "a".repeat(40), headSha: "b".repeat(40) }),
      JSON.stringify({ number: 5, baseSha: "../../etc", headSha: "b".repeat(40) }),
      "{ not json",
    ]) {
      await writeFile(join(directory, metadataFileName), content);
      expect(await readPullRequestMetadata(directory)).toBeUndefined();
    }
    expect(pullRequestFromPayload({ push: {} })).toBeUndefined();
  });
});

describe("results branch paths", () => {
  it("keeps configs apart, even names that differ only in punctuation", () => {
    expect(configSlug("retrieval models")).not.toBe(configSlug("retrieval-models"));
    expect(configSlug("retrieval-models")).toMatch(/^retrieval-models-[0-9a-f]{8}$/);
    expect(configSlug("../../etc/passwd")).toMatch(/^etc-passwd-[0-9a-f]{8}$/);
    expect(resultsPath("c".repeat(40), "x")).toBe(`${"c".repeat(40)}/${configSlug("x")}.json`);
  });
});
