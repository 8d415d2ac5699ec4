/**
 * The fault matrix of issue 16 against the real AWS SDK client: the runtime, the real Bedrock plugin,
 * and a local proxy in front of the local Bedrock server that answers as a failing network would (an
 * HTML 502 from a load balancer, a 429 asking for an hour, a 503 outage, an endpoint that never
 * answers). Real time, so each scenario is kept to a few seconds; the long versions (a 10 s burst, a
 * 30 s outage, the default 60 s cap) run on virtual time in packages/core/src/runtime/fault-matrix.test.ts.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { embedTexts, type RuntimeEvent } from "@embedeval/core";
import { afterEach, describe, expect, it } from "vitest";
import { createBedrockProvider } from "./bedrock-plugin.js";
import { fakeEmbedding, startBedrockServer } from "./testing/index.js";

const environment = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };

type ProxyAnswer = "forward" | "html-502" | "retry-after-hour" | "unavailable" | "never";

interface FaultProxy {
  url: string;
  /** What each request got, in order. */
  answers: ProxyAnswer[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A proxy to `target` that answers request n (0-based) as `decide(n)` says. */
async function startFaultProxy(
  target: string,
  decide: (request: number) => ProxyAnswer,
): Promise<FaultProxy> {
  const answers: ProxyAnswer[] = [];
  const held = new Set<ServerResponse>();
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const answer = decide(answers.length);
    answers.push(answer);
    switch (answer) {
      case "html-502":
        // What a load balancer sends when the service behind it is down: HTML, no AWS error type.
        response.writeHead(502, { "Content-Type": "text/html" });
        response.end(
          "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
        );
        return;
      case "retry-after-hour":
        response.writeHead(429, {
          "Content-Type": "application/json",
          "x-amzn-errortype": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
          "Retry-After": "3600",
        });
        response.end(JSON.stringify({ message: "Too many requests, please wait before trying again." }));
        return;
      case "unavailable":
        response.writeHead(503, {
          "Content-Type": "application/json",
          "x-amzn-errortype":
            "ServiceUnavailableException:http://internal.amazon.com/coral/com.amazon.bedrock/",
        });
        response.end(JSON.stringify({ message: "The service is temporarily unavailable." }));
        return;
      case "never":
        held.add(response); // answered by nobody; closed when the test ends
        return;
      default: {
        const forwarded = request(
          `${target}${incoming.url}`,
          { method: incoming.method, headers: incoming.headers },
          (upstream) => {
            response.writeHead(upstream.statusCode ?? 502, upstream.headers);
            upstream.pipe(response);
          },
        );
        forwarded.on("error", () => response.destroy());
        incoming.pipe(forwarded);
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const response of held) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, answers };
}

async function setup(decide: (request: number, now: number) => ProxyAnswer) {
  const bedrock = await startBedrockServer();
  cleanups.push(() => bedrock.close());
  const started = performance.now();
  const proxy = await startFaultProxy(bedrock.url, (request) => decide(request, performance.now() - started));
  const provider = createBedrockProvider({
    model: "amazon.titan-embed-text-v2:0",
    options: { region: "us-east-1", endpoint: proxy.url, dimensions: 256 },
    baseDirectory: ".",
    environment,
  });
  cleanups.push(() => provider.close());
  return { bedrock, proxy, provider };
}

const texts = Array.from({ length: 24 }, (_, index) => `abstract ${index}: proteins fold`);
const expected = texts.map((text) =>
  Array.from(Float32Array.from(fakeEmbedding(text, 256, { normalize: true }))),
);

describe("runtime + Bedrock plugin (real AWS SDK) + a failing network", () => {
  it("retries a 502 whose body is an HTML page (the SDK cannot parse it)", async () => {
    const { provider, proxy } = await setup((request) => (request < 3 ? "html-502" : "forward"));
    const result = await embedTexts({
      provider,
      texts,
      inputType: "document",
      settings: { maxConcurrency: 1, timeoutSeconds: 10 },
    });
    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(expected);
    expect(proxy.answers.slice(0, 4)).toEqual(["html-502", "html-502", "html-502", "forward"]);
    expect(result.usage.retries).toBe(3);
  }, 30_000);

  it("caps a Retry-After of an hour at runtime.retryAfterCapSeconds and says so", async () => {
    const { provider } = await setup((request) => (request === 0 ? "retry-after-hour" : "forward"));
    const events: RuntimeEvent[] = [];
    const started = performance.now();
    const result = await embedTexts({
      provider,
      texts,
      inputType: "document",
      settings: { maxConcurrency: 1, timeoutSeconds: 10, retryAfterCapSeconds: 1 },
      onEvent: (event) => events.push(event),
    });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result.embeddings).toHaveLength(texts.length);
    expect(events).toContainEqual({ kind: "retry-after-capped", requestedSeconds: 3600, capSeconds: 1 });
    expect(result.warnings[0]).toMatch(/asked to wait 60 min \(Retry-After\); waiting 1 s instead/);
  }, 30_000);

  it("survives an outage of 503s, pausing all calls and probing until the service is back", async () => {
    const { provider, proxy } = await setup((_, now) => (now < 2000 ? "unavailable" : "forward"));
    const events: RuntimeEvent[] = [];
    const result = await embedTexts({
      provider,
      texts,
      inputType: "document",
      settings: { maxConcurrency: 4, timeoutSeconds: 10, retryBudgetSeconds: 30 },
      onEvent: (event) => events.push(event),
    });
    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(expected);
    expect(events.map((event) => event.kind)).toEqual(expect.arrayContaining(["paused", "resumed"]));
    // Four batches found the outage, then one probe at a time: not every batch's retries.
    expect(proxy.answers.filter((answer) => answer === "unavailable").length).toBeLessThanOrEqual(10);
    expect(result.usage.outages?.pauses).toBe(1);
  }, 30_000);

  it("fails an endpoint that never answers within timeoutSeconds + retryBudgetSeconds, naming it", async () => {
    const { provider, proxy } = await setup(() => "never");
    const started = performance.now();
    const error = await embedTexts({
      provider,
      texts,
      inputType: "document",
      settings: { maxConcurrency: 4, timeoutSeconds: 0.5, retryBudgetSeconds: 1 },
      endpoint: proxy.url,
    }).then(
      () => undefined,
      (failure: unknown) => failure as Error,
    );
    const elapsed = performance.now() - started;
    // The bound is 0.5 + 1 s; the rest is slack for a busy machine.
    expect(elapsed).toBeLessThan(4000);
    expect(error?.message).toMatch(
      new RegExp(
        `^bedrock amazon.titan-embed-text-v2:0: no answer within 0.5 s from ${proxy.url} \\(gave up after \\d+ retr`,
      ),
    );
  }, 30_000);
});
