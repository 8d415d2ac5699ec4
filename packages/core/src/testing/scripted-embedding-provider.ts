import { createHash } from "node:crypto";
import type {
  EmbeddingProvider,
  EmbedRequest,
  EmbedResponse,
  InputType,
  ProviderCapabilities,
} from "@embedeval/provider-contract";
import { ProviderError } from "@embedeval/provider-contract";
import type { RuntimeClock } from "../runtime/runtime-clock.js";

/**
 * A provider for exercising the runtime: deterministic vectors (a function of text and input type),
 * an optional latency on a given clock, and a script that makes chosen calls throttle, fail, hang or
 * answer wrongly. It records every call, so tests assert on what was actually sent.
 */
export type ScriptedBehaviour =
  | { kind: "answer" }
  | { kind: "throttle"; retryAfterMs?: number }
  | { kind: "server-error"; status?: number }
  | { kind: "client-error"; message: string }
  | { kind: "hang" }
  | { kind: "wrong-count" }
  | { kind: "not-a-number" }
  | { kind: "wrong-dimension" };

export interface ScriptedCall {
  /** 0-based number of the call. */
  number: number;
  texts: string[];
  inputType: InputType;
  startedAt: number;
  behaviour: ScriptedBehaviour["kind"];
}

export interface ScriptedProviderOptions {
  dimensions?: number;
  capabilities?: Partial<ProviderCapabilities>;
  vectorOptions?: Record<string, unknown>;
  clock?: RuntimeClock;
  /** Latency of an answer, in milliseconds on `clock`. */
  latency?: (texts: readonly string[]) => number;
  /** What call number `n` does; answering when it returns undefined. */
  script?: (call: number, texts: readonly string[]) => ScriptedBehaviour | undefined;
  /** Tokens the "provider" reports per call; undefined: reports usage as estimated. */
  tokensPerText?: number;
  /** Warnings an answer carries (texts cut to length, ...), by the call's texts. */
  warnings?: (texts: readonly string[]) => string[];
}

export class ScriptedEmbeddingProvider implements EmbeddingProvider {
  readonly specificationVersion = "v1" as const;
  readonly provider = "scripted";
  readonly modelId = "scripted-model";
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  readonly calls: ScriptedCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly options: ScriptedProviderOptions;

  constructor(options: ScriptedProviderOptions = {}) {
    this.options = options;
    const dimensions = options.dimensions ?? 4;
    this.capabilities = {
      maxInputsPerCall: 8,
      dimensions,
      normalized: false,
      supportsParallelCalls: true,
      ...options.capabilities,
    };
    this.vectorOptions = options.vectorOptions ?? { dimensions };
  }

  /** Every text sent, over all calls that were answered or not. */
  sentTexts(): string[] {
    return this.calls.flatMap((call) => call.texts);
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    const number = this.calls.length;
    const behaviour = this.options.script?.(number, request.texts) ?? { kind: "answer" };
    this.calls.push({
      number,
      texts: [...request.texts],
      inputType: request.inputType,
      startedAt: this.options.clock?.now() ?? 0,
      behaviour: behaviour.kind,
    });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const latency = this.options.latency?.(request.texts) ?? 0;
      if (behaviour.kind === "hang") {
        // Ignores the signal on purpose: the runtime must not depend on plugins honouring it.
        await new Promise<never>(() => {});
      }
      if (latency > 0 && this.options.clock) await this.options.clock.sleep(latency, request.signal);
      const dimension = this.capabilities.dimensions ?? 4;
      switch (behaviour.kind) {
        case "throttle":
          throw new ProviderError("Too many requests, please wait before trying again.", {
            provider: this.provider,
            retryable: true,
            throttled: true,
            status: 429,
            providerCode: "ThrottlingException",
            retryAfterMs: behaviour.retryAfterMs,
          });
        case "server-error":
          throw new ProviderError("Internal server error", {
            provider: this.provider,
            retryable: true,
            status: behaviour.status ?? 500,
            providerCode: "InternalServerException",
          });
        case "client-error":
          throw new ProviderError(behaviour.message, {
            provider: this.provider,
            retryable: false,
            status: 400,
            providerCode: "ValidationException",
          });
        case "wrong-count":
          return this.answer(request.texts.slice(1), request.inputType, dimension);
        case "not-a-number": {
          const response = this.answer(request.texts, request.inputType, dimension);
          (response.embeddings[0] as Float32Array)[1] = Number.NaN;
          return response;
        }
        case "wrong-dimension":
          return this.answer(request.texts, request.inputType, dimension + 1);
        default:
          return this.answer(request.texts, request.inputType, dimension);
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  private answer(texts: readonly string[], inputType: InputType, dimension: number): EmbedResponse {
    const perText = this.options.tokensPerText;
    const warnings = this.options.warnings?.(texts) ?? [];
    return {
      ...(warnings.length > 0 ? { warnings } : {}),
      embeddings: texts.map((text) => scriptedVector(text, inputType, dimension)),
      usage:
        perText === undefined
          ? { tokens: texts.length, source: "estimated" }
          : { tokens: texts.length * perText, source: "provider" },
    };
  }
}

/** The vector the scripted provider returns: derived from text and input type, so both matter. */
export function scriptedVector(text: string, inputType: InputType, dimension: number): Float32Array {
  const digest = createHash("sha256").update(inputType).update("\0").update(text).digest();
  const vector = new Float32Array(dimension);
  for (let index = 0; index < dimension; index += 1)
    vector[index] = (digest[index % 32] as number) / 255 - 0.5;
  return vector;
}
