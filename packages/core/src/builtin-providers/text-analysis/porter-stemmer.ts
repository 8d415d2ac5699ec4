/**
 * The Porter stemming algorithm (M. F. Porter, 1980, "An algorithm for suffix stripping"), as in
 * Porter's own C/Java reference (https://tartarus.org/martin/PorterStemmer/) and Lucene's
 * PorterStemFilter, which Anserini's BM25 baselines use. It keeps the reference's two departures
 * from the paper: step 2 maps "-bli" to "-ble" (instead of "-abli" to "-able") and adds
 * "-logi" to "-log". Words of one or two letters are not stemmed. Expects lower-case input.
 */
export function porterStem(word: string): string {
  if (word.length <= 2) return word;
  return new PorterWord(word).stem();
}

class PorterWord {
  private b: string[];
  /** Index of the last letter of the word being stemmed. */
  private k: number;
  /** Index of the last letter of the stem before a matched suffix (set by ends()). */
  private j = 0;

  constructor(word: string) {
    this.b = [...word];
    this.k = this.b.length - 1;
  }

  stem(): string {
    if (this.k <= 1) return this.b.join("");
    this.step1ab();
    if (this.k > 0) {
      this.step1c();
      this.step2();
      this.step3();
      this.step4();
      this.step5();
    }
    return this.b.slice(0, this.k + 1).join("");
  }

  /** True when b[i] is a consonant; "y" is a consonant at the start or after a vowel. */
  private consonant(i: number): boolean {
    switch (this.b[i]) {
      case "a":
      case "e":
      case "i":
      case "o":
      case "u":
        return false;
      case "y":
        return i === 0 ? true : !this.consonant(i - 1);
      default:
        return true;
    }
  }

  /** m(): the number of vowel-consonant sequences in b[0..j]. */
  private measure(): number {
    let n = 0;
    let i = 0;
    const j = this.j;
    while (true) {
      if (i > j) return n;
      if (!this.consonant(i)) break;
      i += 1;
    }
    i += 1;
    while (true) {
      while (true) {
        if (i > j) return n;
        if (this.consonant(i)) break;
        i += 1;
      }
      i += 1;
      n += 1;
      while (true) {
        if (i > j) return n;
        if (!this.consonant(i)) break;
        i += 1;
      }
      i += 1;
    }
  }

  private vowelInStem(): boolean {
    for (let i = 0; i <= this.j; i += 1) if (!this.consonant(i)) return true;
    return false;
  }

  private doubleConsonant(j: number): boolean {
    return j >= 1 && this.b[j] === this.b[j - 1] && this.consonant(j);
  }

  /** cvc(i): consonant-vowel-consonant ending at i, the last consonant not w, x or y ("hop" but not "snow"). */
  private consonantVowelConsonant(i: number): boolean {
    if (i < 2 || !this.consonant(i) || this.consonant(i - 1) || !this.consonant(i - 2)) return false;
    const last = this.b[i];
    return last !== "w" && last !== "x" && last !== "y";
  }

  private ends(suffix: string): boolean {
    const length = suffix.length;
    if (length > this.k + 1) return false;
    for (let offset = 0; offset < length; offset += 1) {
      if (this.b[this.k - length + 1 + offset] !== suffix[offset]) return false;
    }
    this.j = this.k - length;
    return true;
  }

  private setTo(replacement: string): void {
    this.b.length = this.j + 1;
    this.b.push(...replacement);
    this.k = this.j + replacement.length;
  }

  private replaceIfMeasured(replacement: string): void {
    if (this.measure() > 0) this.setTo(replacement);
  }

  /** Plurals and -ed or -ing: caresses -> caress, ponies -> poni, meeting -> meet, hoping -> hope. */
  private step1ab(): void {
    if (this.b[this.k] === "s") {
      if (this.ends("sses")) this.k -= 2;
      else if (this.ends("ies")) this.setTo("i");
      else if (this.b[this.k - 1] !== "s") this.k -= 1;
    }
    if (this.ends("eed")) {
      if (this.measure() > 0) this.k -= 1;
    } else if ((this.ends("ed") || this.ends("ing")) && this.vowelInStem()) {
      this.k = this.j;
      if (this.ends("at")) this.setTo("ate");
      else if (this.ends("bl")) this.setTo("ble");
      else if (this.ends("iz")) this.setTo("ize");
      else if (this.doubleConsonant(this.k)) {
        this.k -= 1;
        const last = this.b[this.k];
        if (last === "l" || last === "s" || last === "z") this.k += 1;
      } else {
        this.j = this.k;
        if (this.measure() === 1 && this.consonantVowelConsonant(this.k)) this.setTo("e");
      }
    }
  }

  /** Terminal y to i when there is another vowel in the stem: happy -> happi. */
  private step1c(): void {
    if (this.ends("y") && this.vowelInStem()) this.b[this.k] = "i";
  }

  /** Double suffixes to single ones: relational -> relate, hopefulness -> hopeful (m > 0). */
  private step2(): void {
    const rules: Record<string, [string, string][]> = {
      a: [
        ["ational", "ate"],
        ["tional", "tion"],
      ],
      c: [
        ["enci", "ence"],
        ["anci", "ance"],
      ],
      e: [["izer", "ize"]],
      l: [
        ["bli", "ble"],
        ["alli", "al"],
        ["entli", "ent"],
        ["eli", "e"],
        ["ousli", "ous"],
      ],
      o: [
        ["ization", "ize"],
        ["ation", "ate"],
        ["ator", "ate"],
      ],
      s: [
        ["alism", "al"],
        ["iveness", "ive"],
        ["fulness", "ful"],
        ["ousness", "ous"],
      ],
      t: [
        ["aliti", "al"],
        ["iviti", "ive"],
        ["biliti", "ble"],
      ],
      g: [["logi", "log"]],
    };
    this.applyFirst(rules[this.b[this.k - 1] ?? ""]);
  }

  /** -ic-, -full, -ness and similar: triplicate -> triplic, hopeful -> hope (m > 0). */
  private step3(): void {
    const rules: Record<string, [string, string][]> = {
      e: [
        ["icate", "ic"],
        ["ative", ""],
        ["alize", "al"],
      ],
      i: [["iciti", "ic"]],
      l: [
        ["ical", "ic"],
        ["ful", ""],
      ],
      s: [["ness", ""]],
    };
    this.applyFirst(rules[this.b[this.k] ?? ""]);
  }

  private applyFirst(rules: [string, string][] | undefined): void {
    if (!rules) return;
    for (const [suffix, replacement] of rules) {
      if (this.ends(suffix)) {
        this.replaceIfMeasured(replacement);
        return;
      }
    }
  }

  /** Removes -ant, -ence and the like in context <c>vcvc<v>: revival -> reviv, adjustment -> adjust (m > 1). */
  private step4(): void {
    const suffixes: Record<string, string[]> = {
      a: ["al"],
      c: ["ance", "ence"],
      e: ["er"],
      i: ["ic"],
      l: ["able", "ible"],
      n: ["ant", "ement", "ment", "ent"],
      o: ["ion", "ou"],
      s: ["ism"],
      t: ["ate", "iti"],
      u: ["ous"],
      v: ["ive"],
      z: ["ize"],
    };
    const candidates = suffixes[this.b[this.k - 1] ?? ""];
    if (!candidates) return;
    let matched = false;
    for (const suffix of candidates) {
      if (!this.ends(suffix)) continue;
      // "-ion" is removed only after s or t (adoption -> adopt, but not onion).
      if (suffix === "ion" && !(this.j >= 0 && (this.b[this.j] === "s" || this.b[this.j] === "t"))) continue;
      matched = true;
      break;
    }
    if (matched && this.measure() > 1) this.k = this.j;
  }

  /** Removes a final -e (m > 1, or m = 1 and not cvc) and reduces -ll to -l when m > 1. */
  private step5(): void {
    this.j = this.k;
    if (this.b[this.k] === "e") {
      const measure = this.measure();
      if (measure > 1 || (measure === 1 && !this.consonantVowelConsonant(this.k - 1))) this.k -= 1;
    }
    // As in the reference, the measure here still spans the word before any final "e" was removed.
    if (this.b[this.k] === "l" && this.doubleConsonant(this.k) && this.measure() > 1) this.k -= 1;
  }
}
