/**
 * The container formats embedeval knows, by the name `options.format` takes.
 */
import type { ContainerFormat, ContainerFormatName } from "./container-format.js";
import { customFormat } from "./custom-format.js";
import { huggingFaceToolkitFormat } from "./hugging-face-toolkit-format.js";
import { jumpstartFormat } from "./jumpstart-format.js";
import { teiFormat } from "./tei-format.js";

export const containerFormats: Readonly<Record<ContainerFormatName, ContainerFormat>> = {
  tei: teiFormat,
  jumpstart: jumpstartFormat,
  "hf-inference-toolkit": huggingFaceToolkitFormat,
  custom: customFormat,
};
