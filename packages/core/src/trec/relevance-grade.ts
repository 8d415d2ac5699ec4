/**
 * The one rule for relevance grades, shared by every qrels reader (BEIR folders and qrels files): a
 * whole number, written as an integer or with a zero fraction ("1", "-1", "2.0"). trec_eval reads
 * "2.0" as 2; BEIR's loader (`int(row[2])`) refuses it, but the value is whole, so nothing is lost by
 * accepting it. A fraction ("0.5") is refused rather than truncated as trec_eval would.
 */
const wholeNumber = /^[+-]?\d+(\.0*)?$/;

/** The grade written in `text`, or undefined when it is not a whole number. */
export function parseRelevanceGrade(text: string): number | undefined {
  if (!wholeNumber.test(text)) return undefined;
  // parseInt stops at the point; "-0" becomes 0.
  return Number.parseInt(text, 10) + 0;
}
