/**
 * The end-to-end benchmark's files, written once into a folder and reused: a BEIR folder (corpus.jsonl,
 * queries.jsonl, qrels/test.tsv), the vectors of every text as one float32 .npy (documents, then
 * queries) with texts.jsonl naming each row's text and input type, and an embedeval.yml that scores
 * them with the `precomputed` provider. The Python peers read the same .npy and qrels.
 *
 * Each query is a noisy copy of one of its relevant documents, so nDCG@10 is neither 0 nor 1 and a
 * wrong ranking shows in the score. Seeded: the same files on every machine.
 */
import { existsSync } from "node:fs";
import { mkdir, open, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface EndToEndCase {
  folder: string;
  documents: number;
  queries: number;
  dimension: number;
}

/** xorshift32 uniform values in [-1, 1). */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2147483648 - 1;
  };
}

function npyHeader(rows: number, columns: number): Uint8Array {
  const dictionary = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${columns}), }`;
  // Magic (6) + version (2) + length (2) + dictionary + padding + newline, a multiple of 64 bytes.
  const unpadded = 10 + dictionary.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const header = `${dictionary}${" ".repeat(total - unpadded)}\n`;
  const bytes = new Uint8Array(total);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), 10);
  return bytes;
}

export async function writeEndToEndCase(
  folder: string,
  documents = 100_000,
  queries = 1_000,
  dimension = 768,
): Promise<EndToEndCase> {
  const done = join(folder, ".complete");
  if (existsSync(done)) return { folder, documents, queries, dimension };
  await mkdir(join(folder, "data", "qrels"), { recursive: true });
  const random = generator(7);
  const corpus: string[] = [];
  const texts: string[] = [];
  for (let index = 0; index < documents; index++) {
    corpus.push(JSON.stringify({ _id: `d${index}`, title: "", text: `document ${index}` }));
    texts.push(JSON.stringify({ text: `document ${index}`, inputType: "document" }));
  }
  const queryLines: string[] = [];
  const qrels: string[] = ["query-id\tcorpus-id\tscore"];
  const relevant: number[][] = [];
  for (let index = 0; index < queries; index++) {
    queryLines.push(JSON.stringify({ _id: `q${index}`, text: `query ${index}` }));
    texts.push(JSON.stringify({ text: `query ${index}`, inputType: "query" }));
    const judged = [0, 1, 2].map(() => Math.floor(((random() + 1) / 2) * documents));
    relevant.push(judged);
    for (const document of new Set(judged)) qrels.push(`q${index}\td${document}\t1`);
  }
  await writeFile(join(folder, "data", "corpus.jsonl"), `${corpus.join("\n")}\n`);
  await writeFile(join(folder, "data", "queries.jsonl"), `${queryLines.join("\n")}\n`);
  await writeFile(join(folder, "data", "qrels", "test.tsv"), `${qrels.join("\n")}\n`);
  await writeFile(join(folder, "texts.jsonl"), `${texts.join("\n")}\n`);

  const file = await open(join(folder, "vectors.npy"), "w");
  await file.write(npyHeader(documents + queries, dimension));
  const pieceRows = 4_096;
  const documentVectors = new Float32Array(documents * dimension);
  for (let index = 0; index < documentVectors.length; index++) documentVectors[index] = random();
  for (let start = 0; start < documents; start += pieceRows) {
    const end = Math.min(documents, start + pieceRows);
    await file.write(
      new Uint8Array(documentVectors.buffer, start * dimension * 4, (end - start) * dimension * 4),
    );
  }
  const queryVectors = new Float32Array(queries * dimension);
  for (let query = 0; query < queries; query++) {
    const source = relevant[query]?.[0] as number;
    for (let column = 0; column < dimension; column++) {
      queryVectors[query * dimension + column] =
        (documentVectors[source * dimension + column] as number) + 1.5 * random();
    }
  }
  await file.write(new Uint8Array(queryVectors.buffer));
  await file.close();
  await writeFile(
    join(folder, "embedeval.yml"),
    [
      "name: end-to-end-bench",
      "models:",
      "  - id: precomputed",
      "    provider: precomputed",
      "    options: { vectors: ./vectors.npy, texts: ./texts.jsonl }",
      "tasks:",
      "  - name: synthetic",
      "    path: ./data",
      "    splits: [test]",
      "cache:",
      "  directory: ./cache",
      "output:",
      "  directory: ./results",
      "",
    ].join("\n"),
  );
  await writeFile(done, "");
  return { folder, documents, queries, dimension };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [folder = "/tmp/embedeval-e2e", documents = "100000", queries = "1000"] = process.argv.slice(2);
  await writeEndToEndCase(folder, Number(documents), Number(queries));
  console.log(folder);
}
