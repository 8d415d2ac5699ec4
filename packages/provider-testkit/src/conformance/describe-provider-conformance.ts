/**
 * The provider contract as a vitest suite a plugin author runs in one line (the idea of langchain's
 * standard-tests): every plugin, ours or a third party's, is held to the same checks of
 * @embedeval/core's EmbeddingProvider v1, so the runtime can batch, retry, cache and score any of them
 * the same way.
 */
import { inspect } from "node:util";
import {
  type EmbeddingProvider,
  type EmbedRequest,
  type EmbedResponse,
  type InputType,
  ProviderError,
} from "@embedeval/provider-contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fault } from "../fault-script.js";

/** Texts that share some words and not others, so distinct texts must get distinct vectors. */
export const conformanceTexts: readonly string[] = [
  "Aspirin reduces the risk of heart attack in adults.",
  "The mitochondria is the powerhouse of the cell.",
  "Vaccines train the immune system to recognise a virus.",
  "Heart disease is the leading cause of death worldwide.",
  "Photosynthesis turns sunlight, water and carbon dioxide into sugar.",
];

export interface ConformanceErrorCase {
  /** What goes wrong, for the test name: "throttled", "bad request". */
  name: string;
  /** Sets the failure up before the call, e.g. queues a fault on the local server. */
  arrange?: () => void | Promise<void>;
  /** The request to send; default: the first conformance text as a document. */
  request?: Partial<EmbedRequest>;
  /** What the ProviderError must say. */
  expected: { retryable: boolean; throttled?: boolean; status?: number; providerCode?: string };
  /** Further assertions of the plugin's own (request id, how many calls the server saw). */
  check?: (error: ProviderError, provider: EmbeddingProvider) => void | Promise<void>;
}

/** A server that takes scripted faults, as the testkit's local servers do. */
export interface FaultQueue {
  queueFaults(...faults: Fault[]): void;
}

/** A fault and the ProviderError it must become. */
export interface FaultExpectation {
  fault: Fault;
  expected: ConformanceErrorCase["expected"];
}

/**
 * Faults whose meaning is the same for every provider, whatever its error names: a 200 that is not
 * JSON is a hiccup worth retrying, vectors of the wrong size are a configuration mismatch that
 * retrying repeats, and a connection dropped mid-body is worth retrying.
 */
export const commonFaultExpectations: readonly FaultExpectation[] = [
  {
    fault: { kind: "malformed-json" },
    expected: { retryable: true, throttled: false, status: 200, providerCode: "MalformedResponse" },
  },
  {
    fault: { kind: "wrong-dimension" },
    expected: { retryable: false, throttled: false, status: 200, providerCode: "WrongDimension" },
  },
  {
    fault: { kind: "connection-reset" },
    expected: { retryable: true, throttled: false },
  },
];

/** An error case that queues `fault` on the local server before the call. */
export function faultErrorCase(
  server: FaultQueue,
  fault: Fault,
  expected: ConformanceErrorCase["expected"],
  check?: ConformanceErrorCase["check"],
): ConformanceErrorCase {
  const detail =
    fault.kind === "model-error" && fault.originalStatusCode ? ` ${fault.originalStatusCode}` : "";
  return {
    name: `${fault.kind}${detail}`,
    arrange: () => server.queueFaults(fault),
    expected,
    ...(check ? { check } : {}),
  };
}

export type ConformanceCheck = "abort" | "determinism";

export interface ProviderConformanceOptions {
  /** The suite's name, e.g. "bedrock titan v2". */
  name: string;
  /** A configured provider; called once for the suite and once more to check vectorOptions are stable. */
  createProvider: () => EmbeddingProvider | Promise<EmbeddingProvider>;
  /** Texts to embed; default `conformanceTexts`. At least three, all different. */
  texts?: readonly string[];
  /** Failures the provider must report as a ProviderError with the right `retryable` (and more). */
  errorCases?: readonly ConformanceErrorCase[];
  /**
   * Values that must never appear in an error (keys, tokens, the last request's signature): every
   * error case's message, hint and full `util.inspect` rendering (cause and hidden fields included)
   * is searched. A function is called after the failing call, so it can read what was sent.
   */
  secrets?: readonly string[] | (() => readonly string[]);
  /**
   * Checks that do not apply, each with the reason (printed in the test name):
   * "abort" for a provider that makes no call an AbortSignal could cancel, "determinism" for a model
   * that does not return the same vector for the same text.
   */
  skip?: Partial<Record<ConformanceCheck, string>>;
  /**
   * Makes the next call slow (e.g. queues a `delay` fault of a few seconds on the local server), so
   * the suite can abort it in flight. Without it only an already-aborted signal is checked.
   */
  arrangeSlowCall?: () => void | Promise<void>;
  /** Cosine similarity two vectors of the same text must reach (float noise on GPUs); default 0.9999. */
  minimumSameTextSimilarity?: number;
}

function cosine(left: Float32Array, right: Float32Array): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let index = 0; index < left.length; index++) {
    const a = left[index] ?? 0;
    const b = right[index] ?? 0;
    dot += a * b;
    leftNorm += a * a;
    rightNorm += b * b;
  }
  if (leftNorm === 0 && rightNorm === 0) return 1;
  return dot / Math.sqrt(leftNorm * rightNorm);
}

/** Embeds in calls of at most `maxInputsPerCall` texts, as the runtime does. */
async function embedAll(
  provider: EmbeddingProvider,
  texts: readonly string[],
  inputType: InputType,
): Promise<{ embeddings: Float32Array[]; responses: EmbedResponse[] }> {
  const size = provider.capabilities.maxInputsPerCall;
  const embeddings: Float32Array[] = [];
  const responses: EmbedResponse[] = [];
  for (let start = 0; start < texts.length; start += size) {
    const batch = texts.slice(start, start + size);
    const response = await provider.embed({ texts: batch, inputType });
    expect(response.embeddings, `one vector per text for a call of ${batch.length}`).toHaveLength(
      batch.length,
    );
    embeddings.push(...response.embeddings);
    responses.push(response);
  }
  return { embeddings, responses };
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

/**
 * Registers a `describe` block of contract checks. Call it at the top level of a vitest file:
 *
 *     describeProviderConformance({ name: "acme", createProvider: () => createAcmeProvider(settings) });
 */
export function describeProviderConformance(options: ProviderConformanceOptions): void {
  const texts = options.texts ?? conformanceTexts;
  const minimumSimilarity = options.minimumSameTextSimilarity ?? 0.9999;
  const skip = options.skip ?? {};

  describe(`provider conformance: ${options.name}`, () => {
    let provider: EmbeddingProvider;

    beforeAll(async () => {
      if (texts.length < 3 || new Set(texts).size !== texts.length) {
        throw new Error("describeProviderConformance needs at least three different texts.");
      }
      provider = await options.createProvider();
    });

    afterAll(async () => {
      await provider?.close?.();
    });

    it("declares contract version v1 and names its provider and model", () => {
      expect(provider.specificationVersion).toBe("v1");
      expect(typeof provider.provider).toBe("string");
      expect(provider.provider.length).toBeGreaterThan(0);
      expect(typeof provider.modelId).toBe("string");
      expect(provider.modelId.length).toBeGreaterThan(0);
      expect(typeof provider.embed).toBe("function");
    });

    it("declares sane capabilities", () => {
      const capabilities = provider.capabilities;
      expect(isPositiveInteger(capabilities.maxInputsPerCall), "maxInputsPerCall is a positive integer").toBe(
        true,
      );
      for (const key of [
        "dimensions",
        "maxCharactersPerInput",
        "maxTokensPerInput",
        "maxRequestBytes",
      ] as const) {
        const value = capabilities[key];
        if (value !== undefined) expect(isPositiveInteger(value), `${key} is a positive integer`).toBe(true);
      }
      expect(typeof capabilities.normalized).toBe("boolean");
      expect(typeof capabilities.supportsParallelCalls).toBe("boolean");
    });

    it("has JSON-serialisable vectorOptions that are the same for the same configuration", async () => {
      // vectorOptions are part of the cache key: anything JSON drops or changes (a function, undefined,
      // NaN, a Map, a Date) would make two different configurations share cached vectors.
      const roundTrip = JSON.parse(JSON.stringify(provider.vectorOptions));
      expect(roundTrip).toStrictEqual({ ...provider.vectorOptions });
      const second = await options.createProvider();
      try {
        expect(second.vectorOptions).toStrictEqual(provider.vectorOptions);
      } finally {
        await second.close?.();
      }
    });

    for (const inputType of ["query", "document"] as const) {
      it(`embeds ${inputType} texts: one finite Float32Array per text, of the declared dimension, with usage`, async () => {
        const { embeddings, responses } = await embedAll(provider, texts, inputType);
        expect(embeddings).toHaveLength(texts.length);
        const dimension = provider.capabilities.dimensions ?? embeddings[0]?.length;
        expect(isPositiveInteger(dimension), "vectors have at least one dimension").toBe(true);
        embeddings.forEach((vector, index) => {
          expect(vector, `vector ${index} is a Float32Array`).toBeInstanceOf(Float32Array);
          expect(vector.length, `vector ${index} has the declared dimension`).toBe(dimension);
          const bad = vector.findIndex((value) => !Number.isFinite(value));
          expect(bad, `vector ${index} has no NaN or infinity (first at ${bad})`).toBe(-1);
          if (provider.capabilities.normalized) {
            const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
            expect(norm, `vector ${index} is unit length, as capabilities.normalized says`).toBeCloseTo(1, 3);
          }
        });
        for (const response of responses) {
          expect(["provider", "estimated"]).toContain(response.usage?.source);
          expect(Number.isFinite(response.usage.tokens) && response.usage.tokens >= 0, "usage.tokens").toBe(
            true,
          );
          if (response.requestIds !== undefined) expect(Array.isArray(response.requestIds)).toBe(true);
          if (response.warnings !== undefined) expect(Array.isArray(response.warnings)).toBe(true);
        }
        const distinct = new Set(embeddings.map((vector) => Array.from(vector).join(",")));
        expect(distinct.size, "different texts get different vectors").toBe(texts.length);
      });
    }

    // A call of one text cannot be out of order, so each text alone is the reference for its
    // position in a full call (comparing a batch with its reverse would miss a provider that
    // reverses every call).
    const orderTitle = "returns vectors in input order (each equals the text's vector embedded alone)";
    if (skip.determinism !== undefined) {
      it.skip(`${orderTitle}: skipped, ${skip.determinism}`, () => {});
    } else {
      it(orderTitle, async () => {
        const together = await embedAll(provider, texts, "document");
        for (const [index, text] of texts.entries()) {
          const alone = await provider.embed({ texts: [text], inputType: "document" });
          const vector = together.embeddings[index] as Float32Array;
          const reference = alone.embeddings[0] as Float32Array;
          expect(vector.length).toBe(reference.length);
          expect(cosine(vector, reference), `text ${index} in a call of several`).toBeGreaterThanOrEqual(
            minimumSimilarity,
          );
        }
      });
    }

    it("accepts a full call of maxInputsPerCall texts (up to 64)", async () => {
      const count = Math.min(provider.capabilities.maxInputsPerCall, 64);
      const batch = Array.from({ length: count }, (_, index) => texts[index % texts.length] as string);
      const response = await provider.embed({ texts: batch, inputType: "document" });
      expect(response.embeddings).toHaveLength(count);
    });

    // The runtime aborts with its own reason (a TimeoutError for its per-call timeout, a cancellation
    // for Ctrl-C) and tells the two apart by it, so a provider must reject with that very reason.
    const abortTitles = [
      "rejects a call whose signal is already aborted, with the signal's reason",
      ...(options.arrangeSlowCall ? ["rejects a call aborted in flight, with the signal's reason"] : []),
    ];
    abortTitles.forEach((title, index) => {
      if (skip.abort !== undefined) {
        it.skip(`${title}: skipped, ${skip.abort}`, () => {});
        return;
      }
      it(title, async () => {
        const controller = new AbortController();
        const reason = new DOMException("conformance: timed out on purpose", "TimeoutError");
        if (index === 0) controller.abort(reason);
        else {
          await options.arrangeSlowCall?.();
          setTimeout(() => controller.abort(reason), 50);
        }
        const error = await provider
          .embed({ texts: texts.slice(0, 1), inputType: "query", signal: controller.signal })
          .then(
            () => undefined,
            (thrown: unknown) => thrown,
          );
        expect(error, "the call rejected with the signal's reason").toBe(reason);
      });
    });

    for (const errorCase of options.errorCases ?? []) {
      it(`reports "${errorCase.name}" as a ProviderError (retryable: ${errorCase.expected.retryable})`, async () => {
        await errorCase.arrange?.();
        const request: EmbedRequest = {
          texts: texts.slice(0, 1),
          inputType: "document",
          ...errorCase.request,
        };
        const error = await provider.embed(request).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(error, "the call failed").toBeDefined();
        // Recognised by the marker, not instanceof, as the runtime does: a plugin may bundle its own core.
        expect(ProviderError.isProviderError(error), `a ProviderError, got ${String(error)}`).toBe(true);
        const providerError = error as ProviderError;
        expect(typeof providerError.retryable).toBe("boolean");
        expect(providerError.provider).toBe(provider.provider);
        expect(providerError).toMatchObject(errorCase.expected);
        const secrets = typeof options.secrets === "function" ? options.secrets() : (options.secrets ?? []);
        const everything = `${providerError.message} ${providerError.hint ?? ""} ${inspect(error, { depth: 8, showHidden: true })}`;
        for (const secret of secrets.filter((value) => value.length > 0)) {
          expect(everything, "no secret in the error").not.toContain(secret);
        }
        await errorCase.check?.(providerError, provider);
      });
    }
  });
}
