import { UnexpectedResponseError } from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";
import { decodeBase64Float32, decodeEmbedding } from "./decode-embedding.js";

describe("decodeBase64Float32", () => {
  it("reads little-endian float32 values, whatever the host's byte order", () => {
    // 1.0f is 00 00 80 3f little-endian; -2.5f is 00 00 20 c0.
    const encoded = Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0]).toString("base64");
    expect(Array.from(decodeBase64Float32(encoded, "v"))).toEqual([1, -2.5]);
  });

  it("round-trips what the OpenAI SDK's server side encodes (Float32Array bytes)", () => {
    const values = Float32Array.from([0.1, -0.25, 3.5e-8, 1234.5]);
    const encoded = Buffer.from(values.buffer).toString("base64");
    expect(Array.from(decodeBase64Float32(encoded, "v"))).toEqual(Array.from(values));
  });

  it("refuses a byte count that is not whole float32 values, and non-finite values", () => {
    expect(() => decodeBase64Float32(Buffer.from([1, 2, 3]).toString("base64"), "v")).toThrow(
      UnexpectedResponseError,
    );
    const nan = Buffer.alloc(4);
    nan.writeFloatLE(Number.NaN, 0);
    expect(() => decodeBase64Float32(nan.toString("base64"), "data[0].embedding")).toThrow(
      /data\[0\]\.embedding\[0\] is NaN/,
    );
  });
});

describe("decodeEmbedding", () => {
  it("takes a number array or a base64 string, and checks the dimension of either", () => {
    expect(Array.from(decodeEmbedding([0.5, 0.25], 2, "v"))).toEqual([0.5, 0.25]);
    const encoded = Buffer.from(Float32Array.from([0.5, 0.25]).buffer).toString("base64");
    expect(Array.from(decodeEmbedding(encoded, 2, "v"))).toEqual([0.5, 0.25]);
    expect(() => decodeEmbedding(encoded, 3, "v")).toThrow(/2 dimensions; expected 3/);
    expect(() => decodeEmbedding([0.5], 3, "v")).toThrow(/1 dimensions; expected 3/);
  });
});
