import { existsSync } from "node:fs";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured, testAwsEnvironment } from "./cli-harness.js";

// An endpoint that accepts connections and never answers: the run fails within
// timeoutSeconds + retryBudgetSeconds of its first call, and the message names the endpoint.
const quickstartData = resolve(import.meta.dirname, "../../../examples/quickstart/data");

describe("`embedeval run` against an endpoint that never answers", () => {
  let workspace: string;
  let server: Server;
  let url: string;
  const held = new Set<ServerResponse>();

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-silent-"));
    await cp(quickstartData, join(workspace, "data"), { recursive: true });
    server = createServer((_, response) => {
      held.add(response);
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const response of held) response.destroy();
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await rm(workspace, { recursive: true, force: true });
  });

  it("fails within its bound, naming the endpoint, and writes no result", async () => {
    await writeFile(
      join(workspace, "embedeval.yml"),
      [
        "models:",
        "  - id: titan",
        "    provider: bedrock",
        "    model: amazon.titan-embed-text-v2:0",
        `    options: { dimensions: 256, endpoint: "${url}" }`,
        "    runtime: { timeoutSeconds: 0.5, retryBudgetSeconds: 1 }",
        "tasks:",
        "  - name: quickstart",
        "    path: ./data",
        "",
      ].join("\n"),
    );
    const started = performance.now();
    const result = await runCliCaptured(["run"], workspace, testAwsEnvironment);
    const seconds = (performance.now() - started) / 1000;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /no answer within 0\.5 s \(gave up after \d+ retr(y|ies) within the 1 s retry budget\)/,
    );
    expect(result.stderr).toContain(`endpoint: ${url} never answered`);
    // The bound is 1.5 s after the first call; loading the config, the plugin and the data comes first.
    expect(seconds).toBeLessThan(15);
    expect(existsSync(join(workspace, "embedeval-results/titan/no_revision_available/quickstart.json"))).toBe(
      false,
    );
  });
});
