import { join } from "node:path";
import {
  commonFaultExpectations,
  describePluginConformance,
  describeProviderConformance,
  type FaultQueue,
  faultErrorCase,
} from "@embedeval/provider-testkit/conformance";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createAcmeProvider, plugin } from "./index.js";
import { type AcmeServer, startAcmeServer } from "./testing/acme-server.js";

const apiKey = "acme-test-key-do-not-leak-1234";
let server: AcmeServer;
beforeAll(async () => {
  server = await startAcmeServer({ apiKey });
});
afterAll(() => server.close());
beforeEach(() => {
  server.calls.length = 0;
});

const createProvider = () =>
  createAcmeProvider({
    model: "acme-embed-1",
    options: { endpoint: server.url },
    baseDirectory: ".",
    environment: { ACME_API_KEY: apiKey },
  });
// The server starts in beforeAll; the error cases reach it when they run.
const liveServer: FaultQueue = { queueFaults: (...faults) => server.queueFaults(...faults) };

// The one line a plugin author needs (with the error cases their API documents).
describeProviderConformance({
  name: "acme",
  createProvider,
  secrets: [apiKey],
  arrangeSlowCall: () => server.queueFaults({ kind: "delay", milliseconds: 2_000 }),
  errorCases: [
    faultErrorCase(
      liveServer,
      { kind: "throttle" },
      { retryable: true, throttled: true, status: 429, providerCode: "rate_limited" },
    ),
    faultErrorCase(
      liveServer,
      { kind: "validation" },
      { retryable: false, status: 400, providerCode: "invalid_request" },
    ),
    faultErrorCase(liveServer, { kind: "internal-server" }, { retryable: true, status: 500 }),
    ...commonFaultExpectations.map(({ fault, expected }) => faultErrorCase(liveServer, fault, expected)),
  ],
});

// The package as embedeval meets it: the exported plugin, the model it creates, and the built package
// loaded by its name in plain Node (run `pnpm build` first; CI builds on install).
describePluginConformance({
  plugin,
  packageDirectory: join(import.meta.dirname, ".."),
  settings: { model: "acme-embed-1", options: {}, baseDirectory: ".", environment: { ACME_API_KEY: apiKey } },
});

it("sends the documented request and reads the rate limit's retry-after", async () => {
  const provider = createProvider();
  await provider.embed({ texts: ["a", "b"], inputType: "query" });
  expect(server.calls[0]?.body).toEqual({
    model: "acme-embed-1",
    inputs: ["a", "b"],
    input_type: "query",
    dimensions: 256,
  });
  expect(server.calls[0]?.headers.authorization).toBe(`Bearer ${apiKey}`);
  server.queueFaults({ kind: "throttle" });
  await expect(provider.embed({ texts: ["a"], inputType: "query" })).rejects.toMatchObject({
    retryAfterMs: 1000,
  });
});
