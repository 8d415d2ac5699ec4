import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { type S3Server, startS3Server } from "./s3-server.js";

let server: S3Server | undefined;
afterEach(async () => {
  await server?.close();
});

function client(url: string): S3Client {
  return new S3Client({
    region: "us-east-1",
    endpoint: url,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}

describe("the local S3 server, with the real S3 client", () => {
  it("stores, returns and lists objects by path-style key", async () => {
    server = await startS3Server({ buckets: ["bucket"] });
    const s3 = client(server.url);
    const body = Buffer.from('{"recordId":"R0000000000"}\n{"recordId":"R0000000001"}\n');
    await s3.send(new PutObjectCommand({ Bucket: "bucket", Key: "in/a b.jsonl", Body: body }));
    expect(server.object("bucket", "in/a b.jsonl")).toEqual(body);
    const read = await s3.send(new GetObjectCommand({ Bucket: "bucket", Key: "in/a b.jsonl" }));
    expect(await read.Body?.transformToString()).toBe(body.toString());
    server.putObject("bucket", "out/x.jsonl.out", "{}\n");
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "bucket", Prefix: "in/" }));
    expect(listed.Contents?.map((item) => item.Key)).toEqual(["in/a b.jsonl"]);
    s3.destroy();
  });

  it("answers S3's XML errors, which the client raises by their code", async () => {
    server = await startS3Server({ buckets: ["bucket"] });
    const s3 = client(server.url);
    await expect(s3.send(new GetObjectCommand({ Bucket: "bucket", Key: "missing" }))).rejects.toMatchObject({
      name: "NoSuchKey",
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      s3.send(new PutObjectCommand({ Bucket: "other", Key: "k", Body: Buffer.from("x") })),
    ).rejects.toMatchObject({ name: "NoSuchBucket" });
    s3.destroy();
  });
});
