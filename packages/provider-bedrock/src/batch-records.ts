/**
 * The files of a Bedrock batch inference job. Input: one JSON line per record,
 * `{"recordId": "...", "modelInput": <the InvokeModel body>}`. Output (`<input file>.out`): one line per
 * record processed, `{"recordId", "modelInput", "modelOutput"}` or `{"recordId", "modelInput",
 * "error": {"errorCode", "errorMessage"}}`, in no guaranteed order: they are joined on recordId.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html
 */

/** An 11-character alphanumeric record id, as Bedrock's examples use: R0000000042. */
export function recordId(index: number): string {
  return `R${String(index).padStart(10, "0")}`;
}

/** The input file: one line per record, in record order. */
export function inputJsonl(bodies: readonly Record<string, unknown>[]): Buffer {
  const lines = bodies.map(
    (modelInput, index) => `${JSON.stringify({ recordId: recordId(index), modelInput })}\n`,
  );
  return Buffer.from(lines.join(""), "utf8");
}

export type OutputRecord = { recordId: string; modelOutput: unknown } | { recordId: string; error: string };

/**
 * One output line, or undefined for a blank one. A line that is not such a record (cut off, not JSON)
 * throws with what is wrong; the caller names the file and line.
 */
export function parseOutputLine(line: string): OutputRecord | undefined {
  if (line.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error("not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error("not a JSON object");
  }
  const object = parsed as Record<string, unknown>;
  if (typeof object.recordId !== "string") throw new Error("no recordId");
  if (object.error !== undefined && object.error !== null) {
    return { recordId: object.recordId, error: describeRecordError(object.error) };
  }
  if (object.modelOutput === undefined) throw new Error("neither modelOutput nor error");
  return { recordId: object.recordId, modelOutput: object.modelOutput };
}

/** Bedrock writes `{"errorCode": 400, "errorMessage": "..."}`; older files a plain string. */
function describeRecordError(error: unknown): string {
  if (typeof error === "string") return error;
  if (typeof error === "object" && error !== null) {
    const { errorCode, errorMessage, message } = error as Record<string, unknown>;
    const text = typeof errorMessage === "string" ? errorMessage : typeof message === "string" ? message : "";
    const code = errorCode === undefined ? "" : `${String(errorCode)} `;
    return `${code}${text}`.trim() || JSON.stringify(error);
  }
  return String(error);
}
