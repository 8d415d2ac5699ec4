import type { SearchBackend } from "@embedeval/core";

/** Where the fast search comes from; a test passes another loader to exercise the fallbacks. */
export type SearchBackendLoader = () => Promise<{ createOnnxSearchBackend(): Promise<SearchBackend> }>;

const loadOnnxSearch: SearchBackendLoader = () => import("@embedeval/search-onnx");

/**
 * The hardware-speed search backend, when the optional @embedeval/search-onnx and its native binary load
 * here. It is an optional dependency of the CLI, so an install where onnxruntime-node could not be set up
 * (its install script fails offline on a machine with nvcc) still succeeds without it. The portable
 * WebAssembly search gives identical rankings, only slower, so a failure to load is one line in the log,
 * never an error. Either way the log says, once, which search the run uses. EMBEDEVAL_SEARCH=portable
 * forces the portable path.
 */
export async function loadSearchBackend(
  environment: Record<string, string | undefined>,
  log: (line: string) => void,
  load: SearchBackendLoader = loadOnnxSearch,
): Promise<SearchBackend | undefined> {
  if (environment.EMBEDEVAL_SEARCH === "portable") {
    log("search: portable WebAssembly (EMBEDEVAL_SEARCH=portable)");
    return undefined;
  }
  let backend: SearchBackend;
  try {
    const { createOnnxSearchBackend } = await load();
    backend = await createOnnxSearchBackend();
  } catch (error) {
    log(`search: portable WebAssembly, same rankings, slower (${whyNotLoaded(error)})`);
    return undefined;
  }
  log(`search: ${backend.name} through @embedeval/search-onnx`);
  return backend;
}

function whyNotLoaded(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === "ERR_MODULE_NOT_FOUND" && message.includes("'@embedeval/search-onnx'")) {
    return "the optional @embedeval/search-onnx is not installed; `npm install @embedeval/search-onnx` adds it";
  }
  return `@embedeval/search-onnx did not load: ${String(message).split("\n")[0]}`;
}
