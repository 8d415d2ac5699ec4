import { EmbedEvalError, formatError } from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";
import { parseDecimal } from "./byte-scanning.js";
import { parseTrecRun } from "./trec-run.js";

function parseError(text: string): EmbedEvalError {
  try {
    parseTrecRun(text, { file: "runs/bm25.trec" });
  } catch (error) {
    if (EmbedEvalError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a parse error");
}

describe("parseTrecRun", () => {
  it("reads tabs, spaces, CRLF, comments and blank lines, and groups interleaved queries", () => {
    const run = parseTrecRun(
      "# produced by a test\r\nq1\tQ0\td1\t1\t  2.5\tbm25\r\n\nq2 Q0 d9 1 7 bm25\nq1 Q0 d2 2 -1.25e-1 bm25\n",
    );
    expect(run.size).toBe(3);
    expect(run.queryIds).toEqual(["q1", "q2"]);
    expect([...run.toRun()]).toEqual([
      [
        "q1",
        [
          { id: "d1", score: 2.5 },
          { id: "d2", score: -0.125 },
        ],
      ],
      ["q2", [{ id: "d9", score: 7 }]],
    ]);
    expect([...run.lineNumbers.subarray(0, 3)]).toEqual([2, 4, 5]);
  });

  it("decodes UTF-8 ids and accepts a file without a final newline", () => {
    const run = parseTrecRun("q\u00e9 Q0 d\u{1D538} 1 1 t");
    expect([...run.toRun()]).toEqual([["q\u00e9", [{ id: "d\u{1D538}", score: 1 }]]]);
  });

  it("names the file and line of a malformed line and says what was expected", () => {
    const error = parseError("q1 Q0 d1 1 2.0 tag\nq1 Q0 d2 1 2.0\n");
    expect(error.code).toBe("dataset");
    expect(error.file).toBe("runs/bm25.trec");
    expect(error.line).toBe(2);
    expect(formatError(error)).toMatch(
      /^error: runs\/bm25\.trec:2: Expected `query-id Q0 document-id rank score run-tag`.*found 5 fields/,
    );
    expect(error.hint).toContain("q1 Q0 d2 1 2.0");
  });

  it("refuses a score that is not a finite number", () => {
    const error = parseError("q1 Q0 d1 1 high tag\n");
    expect(error.line).toBe(1);
    expect(error.message).toContain("`high` is not a finite number");
    expect(parseError("q1 Q0 d1 1 1e999 tag\n").message).toContain("not a finite number");
    expect(parseError("q1 Q0 d1 1 NaN tag\n").message).toContain("not a finite number");
  });

  it("refuses a document ranked twice for one query, naming both lines, as trec_eval does", () => {
    const error = parseError("q1 Q0 d1 1 2 t\nq2 Q0 d1 1 2 t\nq1 Q0 d1 2 1 t\n");
    expect(error.line).toBe(3);
    expect(error.message).toContain("`d1` is ranked twice for query `q1` (first on line 1)");
  });

  it("parses scores to the same doubles as Number (strtod), on the fast path and off it", () => {
    const samples = [
      "0",
      "-0",
      "1.582296",
      "  3.903381".trim(),
      "0.1",
      "123456789012345",
      "1234567890123456789",
      "2.5e-3",
      "-7.",
      ".5",
      "+4.25",
      "0.000000000000000000001",
      "9007199254740993",
    ];
    let seed = 7;
    for (let index = 0; index < 2000; index++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const digits = String(seed);
      const dot = seed % (digits.length + 1);
      samples.push(`${seed % 2 ? "-" : ""}${digits.slice(0, dot)}.${digits.slice(dot)}`);
    }
    for (const sample of samples) {
      const bytes = Buffer.from(sample);
      expect(Object.is(parseDecimal(bytes, 0, bytes.length), Number(sample)), sample).toBe(true);
    }
    for (const bad of ["", "-", ".", "1.2.3", "0x10", "Infinity", "1e", "1,5"]) {
      const bytes = Buffer.from(bad);
      expect(parseDecimal(bytes, 0, bytes.length), bad).toBeNaN();
    }
  });
});
