/**
 * The one call path of every AWS embedding plugin: one SDK command per embed() call, from the
 * contract's request to its response. It owns the SDK client (made on the first call, destroyed on
 * close), passes the abort signal, turns what the SDK throws into a ProviderError with the plugin's
 * classifier, parses the JSON answer, and accounts usage and request ids. A plugin is then only its
 * wire formats (the request body, the vectors in the answer) and a thin provider class.
 *
 * No AWS SDK is imported (the contract stays free of them): the client is anything with `send` and
 * `destroy`, which every SDK v3 client has, and the plugin builds each call's command.
 */
import { abortReason } from "../abort-reason.js";
import type {
  EmbedRequest,
  EmbedResponse,
  InputType,
  ProviderCapabilities,
  Usage,
} from "../embedding-provider.js";
import { EmbedEvalError, type ProviderError } from "../errors.js";
import { estimateTokens } from "../estimate-tokens.js";
import {
  checkDimensions,
  parseJsonResponse,
  parseResponseVectors,
  UnexpectedResponseError,
  type UnexpectedResponseHints,
} from "../response-vectors.js";
import type { AwsCallContext } from "./aws-service-error.js";

/** The two methods of an AWS SDK v3 client the call path uses. */
export interface AwsSdkClient<Command, Output> {
  send(command: Command, options: { abortSignal?: AbortSignal }): Promise<Output>;
  destroy(): void;
}

/** What every SDK v3 command output carries. */
export interface AwsCommandOutput {
  $metadata: { requestId?: string };
}

/**
 * Where the client comes from: one the caller made (tests, custom middleware), used as is and never
 * destroyed here; or one made on the first call from settings read beforehand, and destroyed on close.
 */
export type AwsClientSource<Command, Output> =
  | { client: AwsSdkClient<Command, Output> }
  | {
      createClient(): AwsSdkClient<Command, Output>;
      /** Credential values to mask in any message (readAwsClientSettings' `secrets`). */
      secrets: readonly string[];
    };

/** The vectors a wire format found in one answer. */
export interface ParsedEmbeddingResponse {
  /** One vector per text sent, in order. */
  embeddings: Float32Array[];
  /** Input tokens, when the service reported them (in the body or a header). */
  tokens?: number;
  warnings?: string[];
}

/** One call as the plugin builds it: the SDK command, and how to read its answer. */
export interface AwsEmbeddingCall<Command> {
  command: Command;
  /** The texts as sent when the plugin changed them (cut to a length limit); tokens are estimated from these. */
  sentTexts?: readonly string[];
  /** Said about the request itself (texts that were cut). */
  warnings?: readonly string[];
  /** Reads the vectors from the JSON answer; throws UnexpectedResponseError when it is not the documented shape. */
  parseResponse(json: unknown): ParsedEmbeddingResponse;
}

export interface AwsEmbeddingInvokerOptions<Command, Output extends AwsCommandOutput> {
  /** The provider name as in config, in every error: "bedrock". */
  provider: string;
  /** The service as a person names it, for the cancellation message: "Bedrock". */
  serviceName: string;
  /** What is called, in every error's message: `model amazon.titan-embed-text-v2:0`. */
  target: string;
  /** What takes the texts, for the too-many-texts message: "Titan Text Embeddings v2". */
  subject: string;
  /** How the caller should size its calls, for the too-many-texts message. */
  batchingHint: string;
  capabilities: Pick<ProviderCapabilities, "maxInputsPerCall" | "dimensions">;
  clientSource: AwsClientSource<Command, Output>;
  /** The plugin's classifier: classifyAwsError with the service's table of error names. */
  classifyError(error: unknown, context: AwsCallContext): ProviderError;
  /** The answer's body as text (InvokeModel's `body`, InvokeEndpoint's `Body`). */
  responseText(output: Output): string;
  /** How to fix an answer of the wrong dimension or shape. */
  responseHints: UnexpectedResponseHints;
  /** Builds one call from the texts of one embed() request. */
  prepareCall(texts: readonly string[], inputType: InputType): AwsEmbeddingCall<Command>;
}

/**
 * The usage of a call that sent nothing. Zero tokens is exact, so it is not labelled an estimate: one
 * "estimated" call would mark a whole run's provider-counted total as estimated.
 */
const emptyCallUsage: Usage = { tokens: 0, source: "provider" };

export class AwsEmbeddingInvoker<Command, Output extends AwsCommandOutput> {
  private client: AwsSdkClient<Command, Output> | undefined;
  private readonly secrets: readonly string[];

  constructor(private readonly options: AwsEmbeddingInvokerOptions<Command, Output>) {
    const source = options.clientSource;
    this.client = "client" in source ? source.client : undefined;
    this.secrets = "client" in source ? [] : source.secrets;
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    const { texts, inputType, signal } = request;
    const { provider, serviceName, target, capabilities } = this.options;
    if (texts.length === 0) return { embeddings: [], usage: emptyCallUsage };
    if (texts.length > capabilities.maxInputsPerCall) {
      throw new EmbedEvalError(
        "internal",
        `${this.options.subject} takes at most ${capabilities.maxInputsPerCall} text(s) per call; got ${texts.length}.`,
        { hint: this.options.batchingHint },
      );
    }
    if (signal?.aborted) throw abortReason(signal, serviceName);
    const call = this.options.prepareCall(texts, inputType);
    let output: Output;
    try {
      output = await this.connectedClient().send(call.command, signal ? { abortSignal: signal } : {});
    } catch (error) {
      // An abort is the runtime's own doing (a timeout, Ctrl-C): its reason, not a provider failure.
      if (signal?.aborted) throw abortReason(signal, serviceName);
      throw this.options.classifyError(error, { provider, target, secrets: this.secrets });
    }
    const requestId = output.$metadata.requestId;
    const json = parseJsonResponse(this.options.responseText(output), {
      provider,
      target,
      requestId,
      secrets: this.secrets,
    });
    const sent = call.sentTexts ?? texts;
    const parsed = parseResponseVectors({ provider, target, requestId }, this.options.responseHints, () => {
      const result = call.parseResponse(json);
      if (result.embeddings.length !== sent.length) {
        throw new UnexpectedResponseError(
          `the answer holds ${result.embeddings.length} vectors for ${sent.length} input texts.`,
          "shape",
        );
      }
      checkDimensions(result.embeddings, capabilities.dimensions);
      return result;
    });
    const warnings = [...(call.warnings ?? []), ...(parsed.warnings ?? [])];
    return {
      embeddings: parsed.embeddings,
      // About four characters a token when the service does not say: an estimate, labelled as one.
      usage:
        parsed.tokens === undefined
          ? { tokens: estimateTokens(sent), source: "estimated" }
          : { tokens: parsed.tokens, source: "provider" },
      ...(requestId ? { requestIds: [requestId] } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  /** Destroys the client if it was made here; a given client is the caller's to destroy. */
  async close(): Promise<void> {
    if ("client" in this.options.clientSource) return;
    const client = this.client;
    this.client = undefined;
    client?.destroy();
  }

  private connectedClient(): AwsSdkClient<Command, Output> {
    if (this.client === undefined) {
      const source = this.options.clientSource;
      this.client = "client" in source ? source.client : source.createClient();
    }
    return this.client;
  }
}

/** A JSON request body as the bytes an SDK command's `body` takes. */
export function encodeJsonBody(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
