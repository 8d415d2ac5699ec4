import { describe, expect, it } from "vitest";
import { longestRetryAfterMs, parseResetDuration, retryAfterFromHeaders } from "./rate-limit-headers.js";

describe("parseResetDuration", () => {
  it("reads OpenAI's reset durations", () => {
    expect(parseResetDuration("1s")).toBe(1000);
    expect(parseResetDuration("20ms")).toBe(20);
    expect(parseResetDuration("6m0s")).toBe(360_000);
    expect(parseResetDuration("1m30.5s")).toBe(90_500);
    expect(parseResetDuration("1h2m3s")).toBe(3_723_000);
  });

  it("refuses anything else", () => {
    for (const value of ["", "soon", "5", "1s extra", "s1", "-1s"]) {
      expect(parseResetDuration(value), value).toBeUndefined();
    }
  });
});

describe("retryAfterFromHeaders", () => {
  it("prefers retry-after-ms, then Retry-After in seconds, as the official SDK does", () => {
    expect(retryAfterFromHeaders(new Headers({ "retry-after-ms": "250", "retry-after": "2" }))).toBe(250);
    expect(retryAfterFromHeaders(new Headers({ "retry-after": "2" }))).toBe(2000);
    expect(retryAfterFromHeaders(new Headers({ "retry-after": "0.5" }))).toBe(500);
  });

  it("reads Retry-After as an HTTP date", () => {
    const now = Date.parse("2026-12-04T12:00:00Z");
    const headers = new Headers({ "retry-after": "Fri, 04 Dec 2026 12:00:03 GMT" });
    expect(retryAfterFromHeaders(headers, () => now)).toBe(3000);
  });

  it("falls back on the x-ratelimit budget that ran out, the later refill when both did", () => {
    const requests = new Headers({
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "1s",
      "x-ratelimit-remaining-tokens": "5000",
      "x-ratelimit-reset-tokens": "6m0s",
    });
    expect(retryAfterFromHeaders(requests)).toBe(1000);
    const both = new Headers({
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "1s",
      "x-ratelimit-remaining-tokens": "0",
      "x-ratelimit-reset-tokens": "1m0s",
    });
    expect(retryAfterFromHeaders(both)).toBe(60_000);
  });

  it("says nothing when no header asks for a wait, or the values are malformed", () => {
    expect(retryAfterFromHeaders(new Headers())).toBeUndefined();
    expect(retryAfterFromHeaders(new Headers({ "retry-after": "later" }))).toBeUndefined();
    expect(
      retryAfterFromHeaders(
        new Headers({ "x-ratelimit-remaining-requests": "3", "x-ratelimit-reset-requests": "1s" }),
      ),
    ).toBeUndefined();
  });

  it("caps a wait of hours at ten minutes", () => {
    expect(retryAfterFromHeaders(new Headers({ "retry-after": "86400" }))).toBe(longestRetryAfterMs);
  });
});
