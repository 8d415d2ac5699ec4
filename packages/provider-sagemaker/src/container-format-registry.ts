/**
 * The container formats embedeval knows, and which one `options.format` names (tei by default).
 */
import { type PluginOptions, readChoice } from "@embedeval/provider-contract";
import type { ContainerFormat } from "./container-format.js";
import { customFormat } from "./custom-format.js";
import { huggingFaceToolkitFormat } from "./hugging-face-toolkit-format.js";
import { jumpstartFormat } from "./jumpstart-format.js";
import { teiFormat } from "./tei-format.js";

export const containerFormats: readonly ContainerFormat[] = [
  teiFormat,
  jumpstartFormat,
  huggingFaceToolkitFormat,
  customFormat,
];

/** The format `options.format` names; TEI, the container of SageMaker's Hugging Face embedding deployments, by default. */
export function resolveContainerFormat(options: PluginOptions): ContainerFormat {
  const id = readChoice(
    options,
    "format",
    containerFormats.map((format) => format.id),
    "a SageMaker endpoint",
  );
  return containerFormats.find((format) => format.id === id) ?? teiFormat;
}
