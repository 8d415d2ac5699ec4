import { closestMatch } from "@embedeval/provider-contract";
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
} from "yaml";
import type { SchemaNode } from "./config-schema.js";

/** One problem found in a config file, pointing at the line of the offending node. */
export interface ConfigIssue {
  /** Dotted path such as `models[1].provider`. */
  path: string;
  line: number;
  message: string;
}

/**
 * Validates a parsed YAML node against the schema subset in config-schema.ts and returns every issue
 * (not just the first), each with its line, so one run of the CLI reports all typos at once.
 * Given the `document`, aliases (`options: *shared`) are validated as the node they name, and merge
 * keys (`<<: *defaults`) as if their keys were written in place. Callers convert the document with a
 * bounded `maxAliasCount` first, so an alias bomb is refused before it gets here.
 */
export function validateAgainstSchema(
  original: Node | null | undefined,
  schema: SchemaNode,
  lineCounter: LineCounter,
  path = "",
  fallbackLine = 1,
  document?: Document,
): ConfigIssue[] {
  // The line of an alias is where it is used; its value is what it names.
  const line = lineOf(original, lineCounter, fallbackLine);
  const node = resolveAlias(original, document);
  const where = path === "" ? "the config" : `\`${path}\``;

  if (schema.oneOf) {
    const matching = schema.oneOf.filter(
      (alternative) =>
        validateAgainstSchema(node, alternative, lineCounter, path, line, document).length === 0,
    );
    if (matching.length > 0) return [];
    const expected = schema.oneOf.map(describeExpected).join(" or ");
    return [{ path, line, message: `${where} must be ${expected}; got ${describeValue(node)}` }];
  }

  switch (schema.type) {
    case "object": {
      if (!isMap(node)) {
        return [
          { path, line, message: `${where} must be a mapping (key: value); got ${describeValue(node)}` },
        ];
      }
      const issues: ConfigIssue[] = [];
      const properties = schema.properties ?? {};
      const known = Object.keys(properties);
      const present = new Set<string>();
      for (const pair of withMergedPairs(node.items as Pair<unknown, unknown>[], document)) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        present.add(key);
        const keyLine = lineOf(pair.key as Node, lineCounter, line);
        const childPath = path === "" ? key : `${path}.${key}`;
        const propertySchema = properties[key];
        if (propertySchema) {
          issues.push(
            ...validateAgainstSchema(
              pair.value as Node,
              propertySchema,
              lineCounter,
              childPath,
              keyLine,
              document,
            ),
          );
        } else if (schema.additionalProperties === false) {
          const suggestion = closestMatch(key, known);
          issues.push({
            path: childPath,
            line: keyLine,
            message:
              `unknown key \`${key}\`` +
              (path === "" ? "" : ` in \`${path}\``) +
              (suggestion ? `; did you mean \`${suggestion}\`?` : `; expected one of: ${known.join(", ")}`),
          });
        } else if (typeof schema.additionalProperties === "object") {
          issues.push(
            ...validateAgainstSchema(
              pair.value as Node,
              schema.additionalProperties,
              lineCounter,
              childPath,
              keyLine,
              document,
            ),
          );
        }
      }
      for (const required of schema.required ?? []) {
        if (!present.has(required)) {
          issues.push({
            path: path === "" ? required : `${path}.${required}`,
            line,
            message: `${where} is missing the required key \`${required}\``,
          });
        }
      }
      return issues;
    }
    case "array": {
      if (!isSeq(node)) {
        return [{ path, line, message: `${where} must be a list; got ${describeValue(node)}` }];
      }
      const issues: ConfigIssue[] = [];
      if (schema.minItems !== undefined && node.items.length < schema.minItems) {
        issues.push({ path, line, message: `${where} needs at least ${schema.minItems} item(s)` });
      }
      node.items.forEach((item, index) => {
        if (schema.items) {
          issues.push(
            ...validateAgainstSchema(
              item as Node,
              schema.items,
              lineCounter,
              `${path}[${index}]`,
              line,
              document,
            ),
          );
        }
      });
      return issues;
    }
    default:
      return validateScalar(node, schema, path, line, where);
  }
}

function validateScalar(
  node: Node | null | undefined,
  schema: SchemaNode,
  path: string,
  line: number,
  where: string,
): ConfigIssue[] {
  if (!isScalar(node)) {
    return [
      { path, line, message: `${where} must be ${describeExpected(schema)}; got ${describeValue(node)}` },
    ];
  }
  const value = node.value;
  const fail = (message: string): ConfigIssue[] => [{ path, line, message }];
  switch (schema.type) {
    case "string":
      if (typeof value !== "string") return fail(`${where} must be a string; got ${describeValue(node)}`);
      if (schema.enum && !schema.enum.includes(value)) {
        const suggestion = closestMatch(
          value,
          schema.enum.map((entry) => String(entry)),
        );
        return fail(
          `${where} is \`${value}\`; expected one of: ${schema.enum.join(", ")}` +
            (suggestion ? ` (did you mean \`${suggestion}\`?)` : ""),
        );
      }
      if (schema.pattern && !new RegExp(schema.pattern, "u").test(value)) {
        return fail(`${where} is \`${value}\`, which is not ${describePattern(schema)}`);
      }
      return [];
    case "number":
    case "integer": {
      if (typeof value !== "number" || Number.isNaN(value)) {
        return fail(`${where} must be ${describeExpected(schema)}; got ${describeValue(node)}`);
      }
      if (schema.type === "integer" && !Number.isInteger(value)) {
        return fail(`${where} must be a whole number; got ${value}`);
      }
      if (schema.minimum !== undefined && value < schema.minimum) {
        return fail(`${where} must be at least ${schema.minimum}; got ${value}`);
      }
      if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) {
        return fail(`${where} must be greater than ${schema.exclusiveMinimum}; got ${value}`);
      }
      if (schema.maximum !== undefined && value > schema.maximum) {
        return fail(`${where} must be at most ${schema.maximum}; got ${value}`);
      }
      return [];
    }
    case "boolean":
      if (typeof value !== "boolean")
        return fail(`${where} must be true or false; got ${describeValue(node)}`);
      return [];
    default:
      return [];
  }
}

function describeExpected(schema: SchemaNode): string {
  if (schema.enum) return `one of ${schema.enum.join(", ")}`;
  switch (schema.type) {
    case "string":
      return schema.pattern === "^\\d+(\\.\\d+)?%$" ? 'a percentage such as "2%"' : "a string";
    case "number":
      return "a number";
    case "integer":
      return "a whole number";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
      return "a mapping";
    default:
      return "a value";
  }
}

/**
 * What a string with a pattern must look like, in words: the schema's own description of the pattern
 * when it has one (`patternDescription`), else the pattern itself. Never just "a string": the value is one.
 */
function describePattern(schema: SchemaNode): string {
  if (schema.patternDescription) return schema.patternDescription;
  if (schema.pattern === "^\\d+(\\.\\d+)?%$") return 'a percentage such as "2%"';
  return `a string matching the pattern ${schema.pattern}`;
}

/** The node an alias names (the document resolves it); any other node as it is. */
function resolveAlias(
  node: Node | null | undefined,
  document: Document | undefined,
): Node | null | undefined {
  if (!isAlias(node) || !document) return node;
  return node.resolve(document) as Node | undefined;
}

/**
 * A mapping's pairs with merge keys (`<<: *defaults`, or a list of aliases) replaced by the pairs they
 * bring in; keys written in place come after, so they win, as YAML's merge says.
 */
function withMergedPairs(
  pairs: Pair<unknown, unknown>[],
  document: Document | undefined,
): Pair<unknown, unknown>[] {
  const merged: Pair<unknown, unknown>[] = [];
  const own: Pair<unknown, unknown>[] = [];
  for (const pair of pairs) {
    // With `merge: true` the parser gives the key as a symbol described "<<"; without, the string.
    const key = isPair(pair) && isScalar(pair.key) ? pair.key.value : undefined;
    const isMerge = key === "<<" || (typeof key === "symbol" && key.description === "<<");
    if (!isMerge) {
      own.push(pair);
      continue;
    }
    const value = resolveAlias(pair.value as Node, document);
    const sources = isSeq(value) ? value.items.map((item) => resolveAlias(item as Node, document)) : [value];
    for (const source of sources) {
      if (isMap(source)) merged.push(...(source.items as Pair<unknown, unknown>[]));
      else own.push(pair); // not a mapping: reported as the unknown key `<<` it then is
    }
  }
  const ownKeys = new Set(
    own.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key))),
  );
  const seen = new Set<string>();
  const result: Pair<unknown, unknown>[] = [];
  for (const pair of merged) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (ownKeys.has(key) || seen.has(key)) continue;
    seen.add(key);
    result.push(pair);
  }
  return [...result, ...own];
}

function describeValue(node: Node | null | undefined): string {
  if (node === null || node === undefined) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    if (node.value === null) return "nothing";
    return typeof node.value === "string" ? `\`${node.value}\`` : String(node.value);
  }
  return "an unsupported value";
}

function lineOf(node: Node | null | undefined, lineCounter: LineCounter, fallback: number): number {
  const start = node?.range?.[0];
  if (start === undefined) return fallback;
  return lineCounter.linePos(start).line;
}
