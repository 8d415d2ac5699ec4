/**
 * A minimal local S3 on 127.0.0.1 for the real S3 client (`forcePathStyle: true`): PutObject, GetObject
 * and ListObjectsV2 with path-style addressing (`/{bucket}/{key}`), and S3's XML errors
 * (`<Error><Code>NoSuchKey</Code>...`). Objects live in memory, where the fake Bedrock batch server
 * reads a job's input and writes its output. Signatures are not verified.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { startLocalServer } from "@embedeval/provider-testkit";

export interface RecordedS3Request {
  method: string;
  bucket: string;
  key: string;
  status: number;
}

export interface S3Server {
  url: string;
  /** Every request, in order. */
  requests: RecordedS3Request[];
  /** The object at `bucket`/`key`, if any. */
  object(bucket: string, key: string): Buffer | undefined;
  putObject(bucket: string, key: string, body: Buffer | string): void;
  /** Keys in `bucket` starting with `prefix`, sorted. */
  keys(bucket: string, prefix?: string): string[];
  close(): Promise<void>;
}

export interface S3ServerOptions {
  /** Buckets that exist; any other answers NoSuchBucket. Default: every bucket exists. */
  buckets?: readonly string[];
}

function readBytes(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function sendXmlError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  resource: string,
): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><Resource>${escapeXml(resource)}</Resource><RequestId>fake-request</RequestId></Error>`;
  response.writeHead(status, { "content-type": "application/xml", "x-amz-request-id": "fake-request" });
  response.end(body);
}

export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const objects = new Map<string, Buffer>();
  const requests: RecordedS3Request[] = [];
  const bucketExists = (bucket: string): boolean => !options.buckets || options.buckets.includes(bucket);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const [, bucket = "", ...rest] = url.pathname.split("/");
    const key = rest.map((part) => decodeURIComponent(part)).join("/");
    const body = await readBytes(request);
    const recorded: RecordedS3Request = { method: request.method ?? "", bucket, key, status: 0 };
    requests.push(recorded);
    const fail = (status: number, code: string, message: string): void => {
      recorded.status = status;
      sendXmlError(response, status, code, message, url.pathname);
    };
    if (!bucketExists(bucket)) return fail(404, "NoSuchBucket", "The specified bucket does not exist");

    if (request.method === "PUT" && key !== "") {
      objects.set(`${bucket}/${key}`, body);
      recorded.status = 200;
      response.writeHead(200, { etag: `"${createHash("md5").update(body).digest("hex")}"` });
      response.end();
      return;
    }
    if (request.method === "GET" && key !== "") {
      const object = objects.get(`${bucket}/${key}`);
      if (!object) return fail(404, "NoSuchKey", "The specified key does not exist.");
      recorded.status = 200;
      response.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": String(object.length),
        etag: `"${createHash("md5").update(object).digest("hex")}"`,
      });
      response.end(object);
      return;
    }
    if (request.method === "GET" && key === "" && url.searchParams.get("list-type") === "2") {
      const prefix = url.searchParams.get("prefix") ?? "";
      const contents = listKeys(bucket, prefix)
        .map((name) => {
          const size = objects.get(`${bucket}/${name}`)?.length ?? 0;
          return `<Contents><Key>${escapeXml(name)}</Key><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
        })
        .join("");
      const count = listKeys(bucket, prefix).length;
      recorded.status = 200;
      response.writeHead(200, { "content-type": "application/xml" });
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${count}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
      );
      return;
    }
    fail(405, "MethodNotAllowed", `${request.method} ${url.pathname} is not supported by this fake`);
  }

  function listKeys(bucket: string, prefix = ""): string[] {
    return [...objects.keys()]
      .filter((name) => name.startsWith(`${bucket}/${prefix}`))
      .map((name) => name.slice(bucket.length + 1))
      .sort();
  }

  const server = await startLocalServer(handle, (response, error) =>
    sendXmlError(response, 500, "InternalError", `Test server bug: ${String(error)}`, "/"),
  );
  return {
    url: server.url,
    requests,
    object: (bucket, key) => objects.get(`${bucket}/${key}`),
    putObject: (bucket, key, body) => {
      objects.set(`${bucket}/${key}`, Buffer.isBuffer(body) ? body : Buffer.from(body));
    },
    keys: listKeys,
    close: server.close,
  };
}
