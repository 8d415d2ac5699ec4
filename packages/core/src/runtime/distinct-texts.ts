/**
 * Identical texts are embedded once (corpora repeat titles, boilerplate, empty bodies): the distinct
 * texts in first-seen order, and for each input text its position among them.
 */
export function distinctTexts(texts: readonly string[]): { distinct: string[]; positions: Int32Array } {
  const positions = new Int32Array(texts.length);
  const distinct: string[] = [];
  const seen = new Map<string, number>();
  for (let index = 0; index < texts.length; index += 1) {
    const text = texts[index] as string;
    let position = seen.get(text);
    if (position === undefined) {
      position = distinct.length;
      seen.set(text, position);
      distinct.push(text);
    }
    positions[index] = position;
  }
  return { distinct, positions };
}
