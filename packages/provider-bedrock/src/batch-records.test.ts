import { describe, expect, it } from "vitest";
import { inputJsonl, parseOutputLine, recordId } from "./batch-records.js";

describe("batch job files", () => {
  it("writes one record a line with 11-character ids", () => {
    const file = inputJsonl([{ inputText: "a" }, { inputText: "b\nc" }]).toString("utf8");
    expect(file.split("\n")).toEqual([
      '{"recordId":"R0000000000","modelInput":{"inputText":"a"}}',
      '{"recordId":"R0000000001","modelInput":{"inputText":"b\\nc"}}',
      "",
    ]);
    expect(recordId(12_345)).toBe("R0000012345");
  });

  it("reads output and error lines, and says what is wrong with a bad one", () => {
    expect(parseOutputLine('{"recordId":"R1","modelInput":{},"modelOutput":{"embedding":[1]}}')).toEqual({
      recordId: "R1",
      modelOutput: { embedding: [1] },
    });
    expect(
      parseOutputLine(
        '{"recordId":"R2","modelInput":{},"error":{"errorCode":400,"errorMessage":"too long"}}',
      ),
    ).toEqual({ recordId: "R2", error: "400 too long" });
    expect(parseOutputLine("  ")).toBeUndefined();
    expect(() => parseOutputLine('{"recordId":"R3","modelOutp')).toThrow("not JSON");
    expect(() => parseOutputLine('{"modelOutput":{}}')).toThrow("no recordId");
    expect(() => parseOutputLine('{"recordId":"R4"}')).toThrow("neither modelOutput nor error");
  });
});
