import type { SearchBackend } from "@embedeval/core";

/**
 * The hardware-speed search backend, when @embedeval/search-onnx and its native binary load here.
 * Without it the portable search gives identical rankings, only slower, so a failure to load is a
 * note in the log, never an error. EMBEDEVAL_SEARCH=portable forces the portable path.
 */
export async function loadSearchBackend(
  environment: Record<string, string | undefined>,
  log: (line: string) => void,
): Promise<SearchBackend | undefined> {
  if (environment.EMBEDEVAL_SEARCH === "portable") return undefined;
  try {
    const { createOnnxSearchBackend } = await import("@embedeval/search-onnx");
    return await createOnnxSearchBackend();
  } catch (error) {
    log(
      `search: using the portable engine (onnxruntime unavailable: ${(error as Error).message.split("\n")[0]})`,
    );
    return undefined;
  }
}
