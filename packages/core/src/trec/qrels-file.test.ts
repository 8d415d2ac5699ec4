import { EmbedEvalError } from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";
import { parseQrels } from "./qrels-file.js";

function qrelsError(text: string): EmbedEvalError {
  try {
    parseQrels(text, { file: "qrels/test.tsv" });
  } catch (error) {
    if (EmbedEvalError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a parse error");
}

describe("parseQrels", () => {
  it("reads TREC qrels, keeping grade 0 and skipping comments", () => {
    const parsed = parseQrels(
      "# judged by NIST\n301 0 FBIS3-10082 1\n301 0 FBIS3-10169 0\r\n302\t0\tFT921-7765\t2\n",
    );
    expect(parsed.format).toBe("trec");
    expect(parsed.judgments).toBe(3);
    expect([...parsed.qrels]).toEqual([
      [
        "301",
        new Map([
          ["FBIS3-10082", 1],
          ["FBIS3-10169", 0],
        ]),
      ],
      ["302", new Map([["FT921-7765", 2]])],
    ]);
  });

  it("reads BEIR tsv with its header", () => {
    const parsed = parseQrels("query-id\tcorpus-id\tscore\n1\t31715818\t1\n3\t14717500\t0\n");
    expect(parsed.format).toBe("beir");
    expect(parsed.qrels.get("1")?.get("31715818")).toBe(1);
    expect(parsed.qrels.get("3")?.get("14717500")).toBe(0);
  });

  it("ignores a repeated judgment with the same grade and refuses a contradicting one", () => {
    const parsed = parseQrels("q 0 d 1\nq 0 d 1\n");
    expect(parsed.repeatedLines).toBe(1);
    const error = qrelsError("q 0 d 1\nq 0 x 0\nq 0 d 2\n");
    expect(error.line).toBe(3);
    expect(error.message).toContain("judged 1 on line 1 and 2 here");
  });

  it("names file and line for a wrong field count, a mixed format or a non-integer grade", () => {
    const shape = qrelsError("q 0 d 1 extra\n");
    expect([shape.file, shape.line]).toEqual(["qrels/test.tsv", 1]);
    expect(shape.message).toContain("found 5 fields");
    expect(qrelsError("q 0 d 1\nq d 1\n").line).toBe(2);
    const grade = qrelsError("query-id\tcorpus-id\tscore\nq\td\t0.5\n");
    expect(grade.line).toBe(2);
    expect(grade.message).toContain("`0.5` is not an integer");
  });
});
