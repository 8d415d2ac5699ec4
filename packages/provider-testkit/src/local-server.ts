/**
 * The plumbing every local provider server shares, whatever wire format it speaks: listening on
 * 127.0.0.1 at a free port, reading a body, answering JSON or an AWS-style error, waiting out latency
 * while noticing a client that gave up, and dropping a connection mid-body. A plugin's server keeps
 * only its service's routes and request/response shapes.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Fault, FaultScript } from "./fault-script.js";

export interface LocalServer {
  /** http://127.0.0.1:PORT, to pass as the client's endpoint. */
  url: string;
  /** Closes every open connection (including ones a delay is holding) and stops listening. */
  close(): Promise<void>;
}

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** A started fake service as its tests see it: where it listens, what it received, its fault queue. */
export interface FaultInjectingServer<Call> {
  /** http://127.0.0.1:PORT, to pass as the client's endpoint. */
  url: string;
  /** Every request received, in order. */
  calls: Call[];
  /** Appends faults applied to the next requests, one per request. */
  queueFaults(...faults: Fault[]): void;
  close(): Promise<void>;
}

/** What a fake embedding service records of each request; a service's server adds its own fields. */
export interface RecordedEmbeddingCall {
  /** 0-based order of arrival. */
  index: number;
  method: string;
  path: string;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** The texts the body asked to embed. */
  texts: string[];
  headers: IncomingHttpHeaders;
  /** The fault applied to this call, if any. */
  fault: Fault["kind"] | undefined;
  /** The status code answered (0 while pending or when the connection was reset). */
  status: number;
}

/**
 * Starts `handle` on 127.0.0.1 at a port the system picks. A handler that throws is a bug in the test
 * server, not a provider fault: `onHandlerError` answers it (e.g. a 500 naming the bug) if nothing was
 * sent yet, so the client sees an error instead of a hung request.
 */
export async function startLocalServer(
  handle: RequestHandler,
  onHandlerError: (response: ServerResponse, error: unknown) => void,
): Promise<LocalServer> {
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) onHandlerError(response, error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** The body parsed as JSON, or the raw text when it is not JSON (recorded as sent, for assertions). */
export function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Waits, but gives up as soon as the client goes away (a client timeout, or the server closing). */
export function waitUnlessClosed(milliseconds: number, response: ServerResponse): Promise<void> {
  if (milliseconds <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, milliseconds);
    response.once("close", done);
    function done() {
      clearTimeout(timer);
      response.off("close", done);
      resolve();
    }
  });
}

/**
 * The script's fixed latency, then a `delay` fault's extra wait. Returns false when the client went
 * away meanwhile, so the handler sends nothing more.
 */
export async function waitForLatency<Call>(
  script: FaultScript<Call>,
  fault: Fault | undefined,
  response: ServerResponse,
): Promise<boolean> {
  await waitUnlessClosed(script.latencyMs, response);
  if (fault?.kind === "delay") await waitUnlessClosed(fault.milliseconds, response);
  return !response.destroyed;
}

/** A complete answer with a request id, as AWS services send (`x-amzn-RequestId`). */
export function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": randomUUID(),
    ...headers,
  });
  response.end(text);
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendText(response, status, JSON.stringify(body), headers);
}

export interface AwsErrorAnswer {
  status: number;
  /** The error name, e.g. `ThrottlingException`. */
  type: string;
  /** The service's coral namespace, e.g. `com.amazon.bedrock`. */
  namespace: string;
  /** The JSON error body, e.g. `{"message": ...}`. */
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * An AWS JSON-protocol error: the status, an `x-amzn-errortype` header in the form the SDK's restJson1
 * parser reads (`ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/`; it keeps
 * the part before the first colon) and a JSON body.
 * https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html#operation-error-serialization
 */
export function sendAwsError(response: ServerResponse, error: AwsErrorAnswer): void {
  sendJson(response, error.status, error.body, {
    ...error.headers,
    "x-amzn-ErrorType": `${error.type}:http://internal.amazon.com/coral/${error.namespace}/`,
  });
}

/**
 * Promises the whole body, sends half of it, then destroys the socket: what a load balancer or a
 * dying host does mid-response (the `connection-reset` fault).
 */
export function sendHalfThenReset(
  response: ServerResponse,
  text: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(200, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  response.write(text.slice(0, Math.floor(text.length / 2)), () => response.socket?.destroy());
}
