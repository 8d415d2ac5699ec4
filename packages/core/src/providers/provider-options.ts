import { ConfigError } from "../contract/errors.js";

/**
 * Reads a provider's `options:` from config with precise messages. Unknown keys are rejected so a
 * typo (`k_1` for `k1`) does not silently fall back to a default.
 */
export class ProviderOptions {
  constructor(
    private readonly provider: string,
    private readonly options: Readonly<Record<string, unknown>>,
    known: readonly string[],
  ) {
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) {
        throw new ConfigError(`Unknown option \`${key}\` for provider \`${provider}\`.`, {
          key: `options.${key}`,
          hint: known.length > 0 ? `Valid options: ${known.join(", ")}.` : "This provider takes no options.",
        });
      }
    }
  }

  number(
    key: string,
    fallback: number,
    check: { min?: number; max?: number; integer?: boolean } = {},
  ): number {
    const value = this.options[key];
    if (value === undefined) return fallback;
    const valid =
      typeof value === "number" &&
      Number.isFinite(value) &&
      (check.integer !== true || Number.isInteger(value)) &&
      (check.min === undefined || value >= check.min) &&
      (check.max === undefined || value <= check.max);
    if (!valid) {
      const range = [
        check.integer ? "an integer" : "a number",
        check.min !== undefined ? `>= ${check.min}` : "",
        check.max !== undefined ? `<= ${check.max}` : "",
      ]
        .filter(Boolean)
        .join(" ");
      throw new ConfigError(
        `Option \`${key}\` of provider \`${this.provider}\` must be ${range}, got ${JSON.stringify(value)}.`,
        {
          key: `options.${key}`,
        },
      );
    }
    return value as number;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.options[key];
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") {
      throw new ConfigError(
        `Option \`${key}\` of provider \`${this.provider}\` must be true or false, got ${JSON.stringify(value)}.`,
        {
          key: `options.${key}`,
        },
      );
    }
    return value;
  }

  string(key: string): string | undefined {
    const value = this.options[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "") {
      throw new ConfigError(
        `Option \`${key}\` of provider \`${this.provider}\` must be a non-empty string, got ${JSON.stringify(value)}.`,
        {
          key: `options.${key}`,
        },
      );
    }
    return value;
  }
}
