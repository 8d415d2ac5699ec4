/**
 * Reading a plugin's `options:` from config with errors that name the key, what was expected and, for
 * enums, the closest valid value. A plugin does not know the config file's lines, so the key path is
 * the location; the config loader adds the file. Any plugin may use these (they are exported from
 * @embedeval/core) so that every provider reports option mistakes the same way.
 */
import { closestMatch } from "./closest-match.js";
import { ConfigError } from "./errors.js";

/** A plugin's `options:` block as YAML parsed it. */
export type PluginOptions = Readonly<Record<string, unknown>>;

function describe(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

function keyPath(key: string): string {
  return `options.${key}`;
}

export function readString(options: PluginOptions, key: string): string | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length === 0) {
    throw new ConfigError(`\`${keyPath(key)}\` must be a non-empty string, got ${describe(value)}.`, {
      key: keyPath(key),
    });
  }
  return value;
}

export function readBoolean(options: PluginOptions, key: string): boolean | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") {
    throw new ConfigError(`\`${keyPath(key)}\` must be true or false, got ${describe(value)}.`, {
      key: keyPath(key),
    });
  }
  return value;
}

export function readPositiveInteger(options: PluginOptions, key: string): number | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`\`${keyPath(key)}\` must be a positive integer, got ${describe(value)}.`, {
      key: keyPath(key),
    });
  }
  return value;
}

/** A finite number within bounds (inclusive), e.g. BM25's `b` in [0, 1]. */
export function readNumber(
  options: PluginOptions,
  key: string,
  bounds: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  const valid =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (bounds.integer !== true || Number.isInteger(value)) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.max === undefined || value <= bounds.max);
  if (!valid) {
    const expected = [
      bounds.integer ? "an integer" : "a number",
      bounds.min !== undefined ? `>= ${bounds.min}` : "",
      bounds.max !== undefined ? `<= ${bounds.max}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    throw new ConfigError(`\`${keyPath(key)}\` must be ${expected}, got ${describe(value)}.`, {
      key: keyPath(key),
    });
  }
  return value as number;
}

/** Case-insensitive for strings: `end` is accepted for `END`, since YAML authors rarely remember case. */
export function readChoice<T extends string | number>(
  options: PluginOptions,
  key: string,
  allowed: readonly T[],
  modelName: string,
): T | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  const found = allowed.find(
    (candidate) =>
      candidate === value ||
      (typeof candidate === "string" &&
        typeof value === "string" &&
        candidate.toLowerCase() === value.toLowerCase()),
  );
  if (found !== undefined) return found;
  const closest = closestChoice(value, allowed);
  throw new ConfigError(
    `\`${keyPath(key)}\` for ${modelName} must be one of ${allowed.map((item) => describe(item)).join(", ")}, got ${describe(value)}.`,
    { key: keyPath(key), hint: closest === undefined ? undefined : `Did you mean ${describe(closest)}?` },
  );
}

function closestChoice<T extends string | number>(value: unknown, allowed: readonly T[]): T | undefined {
  if (typeof value === "number") {
    const numbers = allowed.filter((item): item is T & number => typeof item === "number");
    return numbers.sort((a, b) => Math.abs(a - value) - Math.abs(b - value))[0];
  }
  if (typeof value !== "string") return undefined;
  const closest = closestMatch(value, allowed.map(String));
  return allowed.find((candidate) => String(candidate) === closest);
}

/** Rejects options this model does not understand, so a typo (`dimension:`) is not silently ignored. */
export function rejectUnknownOptions(
  options: PluginOptions,
  known: readonly string[],
  modelName: string,
): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const closest = closestMatch(key, known);
    throw new ConfigError(`Unknown option \`${keyPath(key)}\` for ${modelName}.`, {
      key: keyPath(key),
      hint:
        closest !== undefined
          ? `Did you mean \`${closest}\`? Options for this model: ${known.join(", ")}.`
          : `Options for this model: ${known.join(", ")}.`,
    });
  }
}

/**
 * The same readers bound to one provider's options, with defaults: what the built-in providers use.
 * Unknown keys are rejected on construction so a typo (`k_1` for `k1`) never falls back to a default.
 */
export class ProviderOptions {
  constructor(
    provider: string,
    private readonly options: PluginOptions,
    known: readonly string[],
  ) {
    rejectUnknownOptions(options, known, `provider \`${provider}\``);
  }

  number(
    key: string,
    fallback: number,
    bounds: { min?: number; max?: number; integer?: boolean } = {},
  ): number {
    return readNumber(this.options, key, bounds) ?? fallback;
  }

  boolean(key: string, fallback: boolean): boolean {
    return readBoolean(this.options, key) ?? fallback;
  }

  string(key: string): string | undefined {
    return readString(this.options, key);
  }
}
