import { describe, expect, it } from "vitest";
import { EmbedEvalError, ProviderError } from "../errors.js";
import { numberVector, objectField, vectorList } from "../response-vectors.js";
import {
  type AwsClientSource,
  AwsEmbeddingInvoker,
  type AwsEmbeddingInvokerOptions,
  type AwsSdkClient,
  encodeJsonBody,
} from "./aws-embedding-invoker.js";
import { classifyAwsError } from "./aws-service-error.js";

// The call path is tested here against a structural client: a few lines that answer like an SDK v3
// client (an output with $metadata and a body, or a thrown ServiceException shape). The real SDK
// clients are covered end to end by the Bedrock and SageMaker plugins' tests against local servers.

interface FakeCommand {
  body: Uint8Array;
}
interface FakeOutput {
  $metadata: { requestId?: string };
  text: string;
}

/** Answers each command with `answer`, and records what it was sent and whether it was destroyed. */
class FakeClient implements AwsSdkClient<FakeCommand, FakeOutput> {
  readonly sent: Array<{ body: unknown; abortSignal?: AbortSignal }> = [];
  destroyed = 0;
  constructor(private readonly answer: (body: { texts: string[] }) => Promise<FakeOutput>) {}

  async send(command: FakeCommand, options: { abortSignal?: AbortSignal }): Promise<FakeOutput> {
    const body = JSON.parse(new TextDecoder().decode(command.body)) as { texts: string[] };
    this.sent.push({ body, ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) });
    return this.answer(body);
  }

  destroy(): void {
    this.destroyed += 1;
  }
}

/** Two-dimensional vectors [length, 1] for each text, with an optional token count. */
function vectorsFor(texts: readonly string[], tokens?: number): FakeOutput {
  const vectors = texts.map((text) => [text.length, 1]);
  return {
    $metadata: { requestId: "request-1" },
    text: JSON.stringify({ vectors, ...(tokens === undefined ? {} : { tokens }) }),
  };
}

const secretKey = "fakeSecretKeyDoNotLeak/123";

function invoker(
  clientSource: AwsClientSource<FakeCommand, FakeOutput>,
  overrides: Partial<AwsEmbeddingInvokerOptions<FakeCommand, FakeOutput>> = {},
): AwsEmbeddingInvoker<FakeCommand, FakeOutput> {
  return new AwsEmbeddingInvoker<FakeCommand, FakeOutput>({
    provider: "acme",
    serviceName: "Acme",
    target: "model m1",
    subject: "Acme m1",
    batchingHint: "Batch by capabilities.maxInputsPerCall.",
    capabilities: { maxInputsPerCall: 3, dimensions: 2 },
    clientSource,
    classifyError: (error, context) =>
      classifyAwsError(error, {
        ...context,
        serviceErrors: { SlowDown: { retryable: true, throttled: true } },
      }),
    responseText: (output) => output.text,
    responseHints: { dimension: "Check the dimensions." },
    prepareCall: (texts) => ({
      command: { body: encodeJsonBody({ texts }) },
      parseResponse: (json) => {
        const tokens = objectField(json, "tokens");
        return {
          embeddings: vectorList(objectField(json, "vectors"), texts.length, "vectors").map((vector, index) =>
            numberVector(vector, undefined, `vectors[${index}]`),
          ),
          ...(typeof tokens === "number" ? { tokens } : {}),
        };
      },
    }),
    ...overrides,
  });
}

function ownedClient(client: FakeClient): AwsClientSource<FakeCommand, FakeOutput> & { created: number } {
  const source = {
    created: 0,
    secrets: [secretKey],
    createClient: () => {
      source.created += 1;
      return client;
    },
  };
  return source;
}

describe("AwsEmbeddingInvoker", () => {
  it("makes its client on the first call, once, and destroys it on close", async () => {
    const client = new FakeClient(async ({ texts }) => vectorsFor(texts));
    const source = ownedClient(client);
    const calls = invoker(source);
    expect(source.created).toBe(0);
    await calls.embed({ texts: ["a"], inputType: "document" });
    await calls.embed({ texts: ["b"], inputType: "query" });
    expect(source.created).toBe(1);
    await calls.close();
    expect(client.destroyed).toBe(1);
    // Closed twice, or never used: nothing more to destroy.
    await calls.close();
    await invoker(ownedClient(client)).close();
    expect(client.destroyed).toBe(1);
  });

  it("never destroys a client it was given", async () => {
    const client = new FakeClient(async ({ texts }) => vectorsFor(texts));
    const calls = invoker({ client });
    await calls.embed({ texts: ["a"], inputType: "document" });
    await calls.close();
    expect(client.destroyed).toBe(0);
    expect(client.sent).toHaveLength(1);
  });

  it("answers an empty call without calling, with zero tokens counted", async () => {
    const client = new FakeClient(async ({ texts }) => vectorsFor(texts));
    const source = ownedClient(client);
    const result = await invoker(source).embed({ texts: [], inputType: "document" });
    expect(result).toEqual({ embeddings: [], usage: { tokens: 0, source: "provider" } });
    expect(source.created).toBe(0);
  });

  it("refuses more texts than one call takes, without calling", async () => {
    const client = new FakeClient(async ({ texts }) => vectorsFor(texts));
    const error = await invoker({ client })
      .embed({ texts: ["a", "b", "c", "d"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: "internal",
      message: "Acme m1 takes at most 3 text(s) per call; got 4.",
      hint: "Batch by capabilities.maxInputsPerCall.",
    });
    expect(client.sent).toHaveLength(0);
  });

  it("returns the vectors with the service's token count and the request id", async () => {
    const client = new FakeClient(async ({ texts }) => vectorsFor(texts, 7));
    const result = await invoker({ client }).embed({ texts: ["ab", "abcd"], inputType: "document" });
    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual([
      [2, 1],
      [4, 1],
    ]);
    expect(result.usage).toEqual({ tokens: 7, source: "provider" });
    expect(result.requestIds).toEqual(["request-1"]);
    expect(result.warnings).toBeUndefined();
  });

  it("estimates tokens from the texts as sent when the service does not count them, and keeps the call's warnings", async () => {
    const client = new FakeClient(async ({ texts }) => vectorsFor(texts));
    const calls = invoker(
      { client },
      {
        prepareCall: (texts) => {
          const sentTexts = texts.map((text) => text.slice(0, 8));
          return {
            command: { body: encodeJsonBody({ texts: sentTexts }) },
            sentTexts,
            warnings: ["cut to 8 characters"],
            parseResponse: (json) => ({
              embeddings: vectorList(objectField(json, "vectors"), texts.length, "vectors").map((vector) =>
                numberVector(vector, 2, "vector"),
              ),
              warnings: ["from the answer"],
            }),
          };
        },
      },
    );
    const result = await calls.embed({ texts: ["x".repeat(40)], inputType: "document" });
    expect(client.sent[0]?.body).toEqual({ texts: ["x".repeat(8)] });
    // 8 characters sent, about four a token: 2, not the 10 of the text before the cut.
    expect(result.usage).toEqual({ tokens: 2, source: "estimated" });
    expect(result.warnings).toEqual(["cut to 8 characters", "from the answer"]);
  });

  it("classifies what the client throws with the plugin's classifier, secrets masked", async () => {
    const client = new FakeClient(async () => {
      throw Object.assign(new Error(`slow down, ${secretKey}`), {
        name: "SlowDown",
        $fault: "client",
        $metadata: { httpStatusCode: 429, requestId: "request-2" },
      });
    });
    const error = await invoker(ownedClient(client))
      .embed({ texts: ["a"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(ProviderError.isProviderError(error)).toBe(true);
    expect(error).toMatchObject({
      provider: "acme",
      retryable: true,
      throttled: true,
      providerCode: "SlowDown",
      requestId: "request-2",
    });
    expect((error as Error).message).toMatch(/^acme model m1: SlowDown \(HTTP 429\)/);
    expect((error as Error).message).not.toContain(secretKey);
  });

  it("throws the signal's reason for an aborted call, before or during the call", async () => {
    const aborted = AbortSignal.abort(new Error("timed out by the runtime"));
    const client = new FakeClient(async ({ texts }) => vectorsFor(texts));
    const before = await invoker({ client })
      .embed({ texts: ["a"], inputType: "document", signal: aborted })
      .catch((caught: unknown) => caught);
    expect(before).toBe(aborted.reason);
    expect(client.sent).toHaveLength(0);

    const controller = new AbortController();
    const reason = new Error("cancelled by the user");
    const slow = new FakeClient(
      () =>
        new Promise((_resolve, reject) => {
          controller.abort(reason);
          // What an SDK client throws when its abortSignal fires: not the reason itself.
          reject(Object.assign(new Error("Request aborted"), { name: "AbortError" }));
        }),
    );
    const during = await invoker({ client: slow })
      .embed({ texts: ["a"], inputType: "document", signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect(during).toBe(reason);
    expect(slow.sent[0]?.abortSignal).toBe(controller.signal);
  });

  it("a cancelled call without a reason is a CancelledError naming the service", async () => {
    const signal = { aborted: true, reason: undefined } as unknown as AbortSignal;
    const client = new FakeClient(async ({ texts }) => vectorsFor(texts));
    const error = await invoker({ client })
      .embed({ texts: ["a"], inputType: "document", signal })
      .catch((caught: unknown) => caught);
    expect(EmbedEvalError.is(error) && error.code).toBe("cancelled");
    expect((error as Error).message).toBe("The Acme call was cancelled.");
  });

  it("an answer that is not JSON is retryable; vectors of the wrong size or count are not", async () => {
    const garbled = new FakeClient(async () => ({ $metadata: {}, text: "<html>busy" }));
    const notJson = await invoker({ client: garbled })
      .embed({ texts: ["a"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(notJson).toMatchObject({ retryable: true, providerCode: "MalformedResponse", status: 200 });

    const wrongSize = new FakeClient(async () => ({
      $metadata: { requestId: "request-3" },
      text: JSON.stringify({ vectors: [[1, 2, 3]] }),
    }));
    const dimension = await invoker({ client: wrongSize })
      .embed({ texts: ["a"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(dimension).toMatchObject({
      retryable: false,
      providerCode: "WrongDimension",
      requestId: "request-3",
      hint: "Check the dimensions.",
    });

    // A wire format that does not check the count itself: the call path does.
    const oneVector = new FakeClient(async () => ({
      $metadata: {},
      text: JSON.stringify({ vectors: [[1, 2]] }),
    }));
    const count = await invoker(
      { client: oneVector },
      {
        prepareCall: (texts) => ({
          command: { body: encodeJsonBody({ texts }) },
          parseResponse: (json) => ({
            embeddings: (objectField(json, "vectors") as unknown[]).map((vector) =>
              numberVector(vector, 2, "vector"),
            ),
          }),
        }),
      },
    )
      .embed({ texts: ["a", "b"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(count).toMatchObject({ retryable: false, providerCode: "UnexpectedResponse" });
    expect((count as Error).message).toContain("holds 1 vectors for 2 input texts");
  });
});
