/**
 * The columns of a remote file, read from a few of its bytes with HTTP Range requests, so a corpus
 * without the columns a task needs is refused before gigabytes are downloaded: parquet from its footer
 * (hyparquet reads the metadata through a range-backed buffer), JSON lines from the first line. Gzipped
 * files and TSV cannot be previewed this way; the loader checks them after the download.
 */
import { DatasetError } from "@embedeval/provider-contract";
import type { AsyncBuffer } from "hyparquet";
import { hubFileUrl, requestHubFile } from "./hub-file-download.js";
import type { HubAccess, HubTreeFile } from "./hub-repository-listing.js";
import { loadHyparquet } from "./parquet-rows.js";

/** Files smaller than this are simply downloaded: previewing them would cost more than it saves. */
export const previewThresholdBytes = 1024 * 1024;
const firstLineBytes = 64 * 1024;

/** Throws a DatasetError naming the columns present when one of `required` (alternatives each) is absent. */
export async function checkHubFileColumns(
  access: HubAccess,
  commit: string,
  file: HubTreeFile,
  required: readonly (readonly string[])[],
): Promise<void> {
  const size = file.lfs?.size ?? file.size;
  if (!(size >= previewThresholdBytes)) return;
  const columns = await previewColumns(access, commit, file, size);
  if (columns === undefined) return;
  for (const alternatives of required) {
    if (!alternatives.some((name) => columns.includes(name))) {
      throw new DatasetError(
        `${access.repository}@${commit.slice(0, 7)}: ${file.path} has no column ${alternatives.map((name) => `"${name}"`).join(" or ")}; its columns: ${columns.join(", ")}.`,
        {
          file: hubFileUrl(access.endpoint, access.repository, commit, file.path),
          hint: "Nothing large was downloaded. Check that the dataset is a retrieval dataset (corpus with _id/id and text; qrels with query-id and corpus-id).",
        },
      );
    }
  }
}

async function previewColumns(
  access: HubAccess,
  commit: string,
  file: HubTreeFile,
  size: number,
): Promise<string[] | undefined> {
  if (file.path.endsWith(".parquet")) {
    const buffer: AsyncBuffer = {
      byteLength: size,
      slice: (start, end) => readRange(access, commit, file, start, end ?? size),
    };
    const { parquetMetadataAsync, parquetSchema } = await loadHyparquet();
    const metadata = await parquetMetadataAsync(buffer).catch(() => undefined);
    return metadata ? parquetSchema(metadata).children.map((child) => child.element.name) : undefined;
  }
  if (file.path.endsWith(".jsonl")) {
    const bytes = await readRange(access, commit, file, 0, Math.min(size, firstLineBytes)).catch(
      () => undefined,
    );
    const text = bytes ? new TextDecoder().decode(bytes) : "";
    const newline = text.indexOf("\n");
    if (newline < 0) return undefined;
    try {
      const first = JSON.parse(text.slice(0, newline).replace(/^\uFEFF/, "")) as unknown;
      return first && typeof first === "object" && !Array.isArray(first) ? Object.keys(first) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Bytes [start, end) of the file; refuses a server that ignores Range rather than read the whole file. */
async function readRange(
  access: HubAccess,
  commit: string,
  file: HubTreeFile,
  start: number,
  end: number,
): Promise<ArrayBuffer> {
  const url = hubFileUrl(access.endpoint, access.repository, commit, file.path);
  const subject = `${access.repository}@${commit.slice(0, 7)}: ${file.path} (bytes ${start}-${end - 1})`;
  const { response } = await requestHubFile(access, url, subject, `bytes=${start}-${end - 1}`);
  if (response.status !== 206) {
    await response.body?.cancel();
    throw new Error("the server ignored the Range header");
  }
  return response.arrayBuffer();
}
