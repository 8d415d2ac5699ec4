import { describe, expect, it } from "vitest";
import { lookupPricePerMillionTokens } from "./price-table.js";

describe("lookupPricePerMillionTokens", () => {
  it("knows the list prices and the inference-profile and ARN spellings of a model", () => {
    expect(lookupPricePerMillionTokens("amazon.titan-embed-text-v2:0")).toBe(0.02);
    expect(lookupPricePerMillionTokens("us.cohere.embed-v4:0")).toBe(0.12);
    expect(lookupPricePerMillionTokens("global.cohere.embed-v4:0")).toBe(0.12);
    expect(lookupPricePerMillionTokens("amazon.titan-embed-text-v2")).toBe(0.02);
    expect(
      lookupPricePerMillionTokens(
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.cohere.embed-english-v3",
      ),
    ).toBe(0.1);
    expect(lookupPricePerMillionTokens("text-embedding-3-large")).toBe(0.13);
  });

  it("prefers the config override, then a plugin's table, and says null when nobody knows", () => {
    expect(lookupPricePerMillionTokens("amazon.titan-embed-text-v2:0", { override: 0.5 })).toBe(0.5);
    expect(lookupPricePerMillionTokens("acme-embed", { tables: [{ "acme-embed": 0.07 }] })).toBe(0.07);
    expect(lookupPricePerMillionTokens("BAAI/bge-large-en-v1.5")).toBeNull();
  });
});
