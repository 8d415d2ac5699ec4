import { DatasetError } from "@embedeval/provider-contract";
import type { Qrels } from "./qrels.js";
import { parseRelevanceGrade } from "./relevance-grade.js";
import { readInputFile } from "./trec-run.js";

export type QrelsFormat = "trec" | "beir";

export interface ParsedQrels {
  qrels: Qrels;
  /** `trec`: `qid iteration docid grade`; `beir`: tab-separated `query-id corpus-id score` with a header. */
  format: QrelsFormat;
  /** Judgment lines read. */
  judgments: number;
  /** Lines repeating an earlier (query, document) judgment with the same grade; they are ignored. */
  repeatedLines: number;
}

const BEIR_HEADER = "query-id";
const TREC_SHAPE = "`query-id iteration document-id grade` (4 fields, TREC qrels)";
const BEIR_SHAPE = "`query-id<TAB>corpus-id<TAB>score` (3 tab-separated fields, BEIR qrels)";

/**
 * Parses relevance judgments in either format, detected from the first line that is not blank or a `#` comment:
 * a `query-id ...` header means BEIR's tsv (https://github.com/beir-cellar/beir/wiki/Load-your-custom-dataset),
 * four fields mean TREC qrels (https://trec.nist.gov/data/qrels_eng/), three fields mean headerless BEIR rows.
 *
 * Grades are integers (pytrec_eval accepts nothing else); grade 0 and negative grades are kept as judged
 * non-relevant. A judgment repeated with the same grade is ignored and counted; with a different grade it is an
 * error (trec_eval refuses any duplicate; MTEB would silently keep the last one).
 */
export function parseQrels(input: Uint8Array | string, options: { file?: string } = {}): ParsedQrels {
  const file = options.file;
  const text = typeof input === "string" ? input : Buffer.from(input).toString("utf8");
  const lines = text.split("\n");
  const qrels: Qrels = new Map();
  const firstLine = new Map<string, number>();
  let format: QrelsFormat | undefined;
  let judgments = 0;
  let repeatedLines = 0;

  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const raw = lines[index] as string;
    const content = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const trimmed = content.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;

    if (format === undefined) {
      if (trimmed.split(/\s+/)[0] === BEIR_HEADER) {
        format = "beir";
        continue;
      }
      const fieldCount = trimmed.split(/\s+/).length;
      if (fieldCount === 4) format = "trec";
      else if (fieldCount === 3) format = "beir";
      else {
        throw new DatasetError(`Expected ${TREC_SHAPE} or ${BEIR_SHAPE}, found ${fieldCount} fields.`, {
          file,
          line,
          hint: `Check this line: \`${shorten(trimmed)}\`.`,
        });
      }
    }

    const fields =
      format === "trec" ? trimmed.split(/\s+/) : content.split("\t").map((field) => field.trim());
    const expected = format === "trec" ? 4 : 3;
    if (fields.length !== expected || fields.some((field) => field === "")) {
      throw new DatasetError(
        `Expected ${format === "trec" ? TREC_SHAPE : BEIR_SHAPE}, found ${fields.filter((field) => field !== "").length} fields.`,
        { file, line, hint: `Check this line: \`${shorten(trimmed)}\`. One file holds one format.` },
      );
    }
    const queryId = fields[0] as string;
    const documentId = (format === "trec" ? fields[2] : fields[1]) as string;
    const gradeText = (format === "trec" ? fields[3] : fields[2]) as string;
    const grade = parseRelevanceGrade(gradeText);
    if (grade === undefined) {
      throw new DatasetError(`The grade \`${gradeText}\` is not an integer.`, {
        file,
        line,
        hint: "Relevance grades are whole numbers: 0 for judged non-relevant, 1 or more for relevant.",
      });
    }
    let documents = qrels.get(queryId);
    if (documents === undefined) {
      documents = new Map();
      qrels.set(queryId, documents);
    }
    const earlier = documents.get(documentId);
    if (earlier !== undefined) {
      const key = `${queryId}\u0000${documentId}`;
      if (earlier !== grade) {
        throw new DatasetError(
          `Document \`${documentId}\` of query \`${queryId}\` is judged ${earlier} on line ${firstLine.get(key)} and ${grade} here.`,
          { file, line, hint: "Keep one judgment per (query, document)." },
        );
      }
      repeatedLines++;
      continue;
    }
    documents.set(documentId, grade);
    firstLine.set(`${queryId}\u0000${documentId}`, line);
    judgments++;
  }
  return { qrels, format: format ?? "trec", judgments, repeatedLines };
}

function shorten(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Reads and parses a qrels file (TREC or BEIR tsv). An unreadable file raises a DatasetError naming it. */
export async function readQrels(path: string): Promise<ParsedQrels> {
  return parseQrels(await readInputFile(path, "qrels"), { file: path });
}
