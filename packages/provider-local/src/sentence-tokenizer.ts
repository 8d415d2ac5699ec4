/**
 * The model's tokenizer.json run by Hugging Face's pure-JavaScript tokenizers (the ones inside
 * transformers.js), with the text preparation and truncation sentence-transformers applies around it.
 *
 * Truncation is done here, not by the library: Python's fast tokenizers cut the text's tokens to
 * max_length minus the special tokens and then add [CLS]/[SEP] (the special tokens survive), while
 * transformers.js cuts the finished sequence, dropping the closing [SEP] of every long text.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "@embedeval/provider-contract";
import { Tokenizer } from "@huggingface/tokenizers";

export interface TokenizedText {
  ids: number[];
  typeIds: number[];
}

/**
 * Python's `str.strip()` whitespace: JavaScript's `trim()` also strips U+FEFF and keeps U+001C-U+001F
 * and U+0085, which Python strips.
 */
const pythonWhitespace =
  "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const leadingWhitespace = new RegExp(`^[${pythonWhitespace}]+`);
const trailingWhitespace = new RegExp(`[${pythonWhitespace}]+$`);

export function pythonStrip(text: string): string {
  return text.replace(leadingWhitespace, "").replace(trailingWhitespace, "");
}

/** sentence-transformers' Transformer.tokenize before the tokenizer: prompt + text, stripped, lower-cased if set. */
export function prepareText(prompt: string, text: string, doLowerCase: boolean): string {
  const stripped = pythonStrip(prompt + text);
  return doLowerCase ? stripped.toLowerCase() : stripped;
}

export class SentenceTokenizer {
  private readonly specialTokenCount: number;
  private readonly addedTokenIds: Map<string, number>;
  private readonly unknownId: number;

  private constructor(private readonly tokenizer: Tokenizer) {
    this.addedTokenIds = new Map(
      [...tokenizer.get_added_tokens_decoder()].map(([id, token]) => [token.content, id] as const),
    );
    this.specialTokenCount = this.withSpecialTokens([]).tokens.length;
    const unknown = (tokenizer.model as { unk_token_id?: number } | null)?.unk_token_id;
    this.unknownId = typeof unknown === "number" ? unknown : 0;
  }

  static async load(folder: string): Promise<SentenceTokenizer> {
    const read = async (name: string) => {
      const text = await readFile(join(folder, name), "utf8").catch(() => undefined);
      return text === undefined ? undefined : (JSON.parse(text) as object);
    };
    const tokenizerJson = await read("tokenizer.json");
    if (!tokenizerJson) {
      throw new ConfigError(`The model in ${folder} has no tokenizer.json.`, {
        hint: "Save the model with a fast tokenizer (`tokenizer.save_pretrained(folder)` writes tokenizer.json), or download it with its tokenizer.json.",
      });
    }
    try {
      return new SentenceTokenizer(new Tokenizer(tokenizerJson, (await read("tokenizer_config.json")) ?? {}));
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`The tokenizer in ${folder} could not be loaded: ${(error as Error).message}`, {
        cause: error,
        hint: "Check that tokenizer.json is the one saved with this model.",
      });
    }
  }

  private withSpecialTokens(tokens: string[]): { tokens: string[]; token_type_ids?: number[] } {
    const processor = this.tokenizer.post_processor;
    return processor ? processor.post_process(tokens, null, true) : { tokens };
  }

  /** Token ids of one prepared text, at most `maxLength` of them with the special tokens. */
  encode(text: string, maxLength: number | undefined): TokenizedText {
    let tokens = this.tokenizer.tokenize(text, { add_special_tokens: false });
    if (maxLength !== undefined && tokens.length + this.specialTokenCount > maxLength) {
      tokens = tokens.slice(0, Math.max(0, maxLength - this.specialTokenCount));
    }
    const processed = this.withSpecialTokens(tokens);
    const ids = processed.tokens.map(
      (token) => this.addedTokenIds.get(token) ?? this.tokenizer.token_to_id(token) ?? this.unknownId,
    );
    return { ids, typeIds: processed.token_type_ids ?? new Array<number>(ids.length).fill(0) };
  }
}
