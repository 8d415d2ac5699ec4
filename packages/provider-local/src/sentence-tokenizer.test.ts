import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prepareText, pythonStrip, SentenceTokenizer } from "./sentence-tokenizer.js";

const tinyModel = join(import.meta.dirname, "..", "test", "fixtures", "tiny-mean");

describe("text preparation", () => {
  it("strips what Python's str.strip() strips, not what JavaScript's trim() does", () => {
    // U+001C..U+001F and U+0085 are whitespace to Python; U+FEFF (a byte-order mark) is not.
    expect(pythonStrip("\x1c\x1f\x85 text \t\n")).toBe("text");
    expect(pythonStrip("\ufefftext\ufeff")).toBe("\ufefftext\ufeff");
    expect(pythonStrip("\u3000text\u00a0")).toBe("text");
  });

  it("prepends the prompt, strips the whole, and lower-cases only when told", () => {
    expect(prepareText("query: ", "  Heart  ", false)).toBe("query:   Heart");
    expect(prepareText("", "  Heart  ", true)).toBe("heart");
  });
});

describe("SentenceTokenizer", () => {
  it("keeps [CLS] and [SEP] when it truncates, as Python's fast tokenizers do", async () => {
    const tokenizer = await SentenceTokenizer.load(tinyModel);
    const full = tokenizer.encode("the heart of the cell", undefined);
    // [CLS]=2, the heart of the cell, [SEP]=3
    expect(full.ids).toHaveLength(7);
    expect(full.ids[0]).toBe(2);
    expect(full.ids.at(-1)).toBe(3);
    const cut = tokenizer.encode("the heart of the cell", 4);
    expect(cut.ids).toEqual([2, ...full.ids.slice(1, 3), 3]);
    expect(cut.typeIds).toEqual([0, 0, 0, 0]);
  });

  it("gives unknown characters the unknown id and the empty text only the special tokens", async () => {
    const tokenizer = await SentenceTokenizer.load(tinyModel);
    expect(tokenizer.encode("東", undefined).ids).toEqual([2, 1, 3]);
    expect(tokenizer.encode("", undefined).ids).toEqual([2, 3]);
  });
});
