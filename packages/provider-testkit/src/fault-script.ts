/**
 * The fault-injection half of the local servers: a script of faults consumed one per request, an
 * optional per-request rule, a fixed latency and a requests-per-minute limit. Kept free of any
 * service's wire format so every local server (Bedrock, SageMaker, a third-party plugin's) describes
 * faults the same way; each server maps a fault kind to its service's status and error name.
 */

export type Fault =
  /** 429 ThrottlingException (Bedrock) / ThrottlingException (SageMaker). */
  | { kind: "throttle" }
  /** 429 ModelNotReadyException. */
  | { kind: "model-not-ready" }
  /** 500 InternalServerException (Bedrock) / InternalFailure (SageMaker). */
  | { kind: "internal-server" }
  /** 503 ServiceUnavailableException (Bedrock) / ServiceUnavailable (SageMaker). */
  | { kind: "service-unavailable" }
  /** 400 ValidationException (Bedrock) / ValidationError (SageMaker). */
  | { kind: "validation"; message?: string }
  /** 403 AccessDeniedException. */
  | { kind: "access-denied" }
  /** 404 ResourceNotFoundException. */
  | { kind: "resource-not-found" }
  /** 400 ServiceQuotaExceededException. */
  | { kind: "service-quota-exceeded" }
  /** 408 ModelTimeoutException. */
  | { kind: "model-timeout" }
  /** 424 ModelErrorException (Bedrock) / ModelError with OriginalStatusCode (SageMaker). */
  | { kind: "model-error"; originalStatusCode?: number; originalMessage?: string }
  /** Answer normally, but only after this long (longer than a client timeout, to provoke one). */
  | { kind: "delay"; milliseconds: number }
  /** 200 with a body that is not JSON. */
  | { kind: "malformed-json" }
  /** 200 with vectors one element shorter than asked for. */
  | { kind: "wrong-dimension" }
  /** Send the status line and half the body, then destroy the socket. */
  | { kind: "connection-reset" };

export interface FaultOptions<Call> {
  /** Faults applied to the next requests in order, one per request. */
  faults?: Fault[];
  /** Decides a fault per request when the script is empty; return undefined for a normal answer. */
  faultFor?: (call: Call) => Fault | undefined;
  /** Fixed latency added to every answer, in milliseconds. */
  latencyMs?: number;
  /**
   * Requests accepted per minute, enforced as a token bucket refilled continuously that holds one
   * second's worth (at least one request) and starts full; requests over it get a throttling error.
   */
  requestsPerMinute?: number;
}

export class FaultScript<Call> {
  private readonly script: Fault[];
  private tokens: number;
  private lastRefill = performance.now();

  constructor(private readonly options: FaultOptions<Call>) {
    this.script = [...(options.faults ?? [])];
    this.tokens = this.capacity;
  }

  private get capacity(): number {
    return Math.max(1, (this.options.requestsPerMinute ?? 0) / 60);
  }

  /** Appends faults to the script; they apply to the next requests in order. */
  queue(...faults: Fault[]): void {
    this.script.push(...faults);
  }

  /** How many scripted faults have not been used yet. */
  get pending(): number {
    return this.script.length;
  }

  get latencyMs(): number {
    return this.options.latencyMs ?? 0;
  }

  /** The fault for this request: the script first, then the rate limit, then the rule. */
  next(call: Call): Fault | undefined {
    const scripted = this.script.shift();
    if (scripted) return scripted;
    const limit = this.options.requestsPerMinute;
    if (limit !== undefined) {
      const now = performance.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.lastRefill) / 60_000) * limit);
      this.lastRefill = now;
      if (this.tokens < 1) return { kind: "throttle" };
      this.tokens -= 1;
    }
    return this.options.faultFor?.(call);
  }
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
