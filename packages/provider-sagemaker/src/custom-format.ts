/**
 * Any other container: a request template and a path to the vectors in the answer.
 *
 *   format: custom
 *   request: { input: "{{texts}}", kind: "{{inputType}}" }
 *   responsePath: "data[*].embedding"
 *   inputTypes: { query: "search_query", document: "search_document" }   # optional
 *
 * In the template, a string that is exactly "{{texts}}" becomes the list of texts, exactly
 * "{{text}}" becomes the one text (and limits calls to one text), and "{{inputType}}" anywhere in a
 * string becomes the input type ("query"/"document", or its `inputTypes` mapping).
 */
import {
  ConfigError,
  type InputType,
  numberVector,
  type PluginOptions,
  UnexpectedResponseError,
  vectorList,
} from "@embedeval/provider-contract";
import type { ConfiguredContainerFormat, ContainerFormat } from "./container-format.js";
import { evaluateResponsePath, parseResponsePath } from "./response-path.js";

function containsPlaceholder(template: unknown, placeholder: string): boolean {
  if (template === placeholder) return true;
  if (Array.isArray(template)) return template.some((item) => containsPlaceholder(item, placeholder));
  if (typeof template === "object" && template !== null) {
    return Object.values(template).some((item) => containsPlaceholder(item, placeholder));
  }
  return false;
}

function fill(template: unknown, texts: readonly string[], inputType: string): unknown {
  if (template === "{{texts}}") return [...texts];
  if (template === "{{text}}") return texts[0];
  if (typeof template === "string") return template.split("{{inputType}}").join(inputType);
  if (Array.isArray(template)) return template.map((item) => fill(item, texts, inputType));
  if (typeof template === "object" && template !== null) {
    return Object.fromEntries(
      Object.entries(template).map(([key, item]) => [key, fill(item, texts, inputType)]),
    );
  }
  return template;
}

function readInputTypes(options: PluginOptions): Record<InputType, string> {
  const value = options.inputTypes;
  if (value === undefined || value === null) return { query: "query", document: "document" };
  const mapping = value as Record<string, unknown>;
  if (
    typeof value !== "object" ||
    typeof mapping.query !== "string" ||
    typeof mapping.document !== "string"
  ) {
    throw new ConfigError("`options.inputTypes` must map `query` and `document` to strings.", {
      key: "options.inputTypes",
      hint: 'For example: inputTypes: { query: "search_query", document: "search_document" }',
    });
  }
  return { query: mapping.query, document: mapping.document };
}

export const customFormat: ContainerFormat = {
  id: "custom",
  optionNames: ["request", "responsePath", "inputTypes"],
  configure(options): ConfiguredContainerFormat {
    const template = options.request;
    const single = containsPlaceholder(template, "{{text}}");
    if (template === undefined || (!single && !containsPlaceholder(template, "{{texts}}"))) {
      throw new ConfigError(
        '`options.request` must be a request template containing "{{texts}}" or "{{text}}".',
        {
          key: "options.request",
          hint: 'For example: request: { inputs: "{{texts}}" }',
        },
      );
    }
    const responsePath = typeof options.responsePath === "string" ? options.responsePath : "";
    const segments = parseResponsePath(responsePath);
    const inputTypes = readInputTypes(options);
    return {
      vectorOptions: { request: template, responsePath, inputTypes },
      normalized: false,
      ...(single ? { maxInputsPerCall: 1 } : {}),
      requestBody: (texts, inputType) => fill(template, texts, inputTypes[inputType]),
      parseResponse(body, texts) {
        let found = evaluateResponsePath(body, segments);
        if (found === undefined) {
          throw new UnexpectedResponseError(
            `nothing at responsePath "${responsePath}" in the response.`,
            "shape",
          );
        }
        if (texts.length === 1 && Array.isArray(found) && typeof found[0] === "number") found = [found];
        return {
          embeddings: vectorList(found, texts.length, `responsePath "${responsePath}"`).map((vector, index) =>
            numberVector(vector, undefined, `vector ${index}`),
          ),
        };
      },
    };
  },
};
