import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, DatasetError, ProviderError } from "@embedeval/provider-contract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseNpy } from "./npy-reader.js";
import { createPrecomputedProvider } from "./precomputed-provider.js";

/** Writes a .npy file the way numpy.save does: version 1.0, header padded to a 64-byte boundary. */
function npy(descr: "<f4" | "<f8", shape: [number, number], values: number[], fortranOrder = false): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? "True" : "False"}, 'shape': (${shape[0]}, ${shape[1]}), }`;
  const unpadded = 10 + header.length + 1;
  header = `${header}${" ".repeat((64 - (unpadded % 64)) % 64)}\n`;
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  const data =
    descr === "<f4"
      ? Buffer.from(new Float32Array(values).buffer)
      : Buffer.from(new Float64Array(values).buffer);
  return Buffer.concat([prefix, Buffer.from(header, "latin1"), data]);
}

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "embedeval-precomputed-"));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const settings = (options: Record<string, unknown>) => ({
  model: "my-vectors",
  options,
  baseDirectory: folder,
  environment: {},
});

describe("precomputed provider", () => {
  it("answers from a JSONL file, by exact text and input type", async () => {
    await writeFile(
      join(folder, "vectors.jsonl"),
      [
        { text: "alpha", embedding: [1, 0, 0] },
        { text: "beta", embedding: [0, 1, 0], inputType: "query" },
        { text: "beta", embedding: [0, 0, 1], inputType: "document" },
      ]
        .map((row) => JSON.stringify(row))
        .join("\n"),
    );
    const provider = await createPrecomputedProvider(settings({ file: "vectors.jsonl" }));
    expect(provider.modelId).toBe("my-vectors");
    expect(provider.capabilities.dimensions).toBe(3);
    const queries = await provider.embed({ texts: ["beta", "alpha"], inputType: "query" });
    expect(queries.embeddings).toEqual([new Float32Array([0, 1, 0]), new Float32Array([1, 0, 0])]);
    const documents = await provider.embed({ texts: ["beta"], inputType: "document" });
    expect(documents.embeddings).toEqual([new Float32Array([0, 0, 1])]);
    expect(provider.vectorOptions.vectors).toMatch(/^[0-9a-f]{64}$/);
  });

  it("names how many texts are missing and quotes the first few, truncated", async () => {
    await writeFile(join(folder, "vectors.jsonl"), '{"text": "alpha", "embedding": [1, 2]}\n');
    const provider = await createPrecomputedProvider(settings({ file: "vectors.jsonl" }));
    const long = "x".repeat(100);
    const error = await provider
      .embed({ texts: ["alpha", "one", "two", long, "four"], inputType: "document" })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      `4 of 5 document text(s) have no precomputed vector in ${join(folder, "vectors.jsonl")}: "one", "two", "${"x".repeat(60)}...", ....`,
    );
  });

  it("rejects rows of different dimensions with file and line", async () => {
    await writeFile(
      join(folder, "vectors.jsonl"),
      '{"text": "a", "embedding": [1, 2]}\n\n{"text": "b", "embedding": [1, 2, 3]}\n',
    );
    const error = await createPrecomputedProvider(settings({ file: "vectors.jsonl" })).catch(
      (caught) => caught,
    );
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toBe("Vector has 3 dimensions, but the first one has 2.");
    expect(error.file).toBe(join(folder, "vectors.jsonl"));
    expect(error.line).toBe(3);
  });

  it("rejects non-finite values, malformed lines and conflicting duplicates", async () => {
    await writeFile(join(folder, "vectors.jsonl"), '{"text": "a", "embedding": [1, null]}\n');
    await expect(createPrecomputedProvider(settings({ file: "vectors.jsonl" }))).rejects.toThrow(
      "embedding[1] is null, not a finite number.",
    );
    await writeFile(join(folder, "vectors.jsonl"), '{"text": "a", "embedding": [1]}\n{"text": "a"\n');
    await expect(createPrecomputedProvider(settings({ file: "vectors.jsonl" }))).rejects.toMatchObject({
      line: 2,
    });
    await writeFile(
      join(folder, "vectors.jsonl"),
      '{"text": "a", "embedding": [1]}\n{"text": "a", "embedding": [2]}\n',
    );
    await expect(createPrecomputedProvider(settings({ file: "vectors.jsonl" }))).rejects.toMatchObject({
      message: "The same text has a different vector on line 1.",
      line: 2,
    });
  });

  it("reads a float32 .npy with JSONL texts and a float64 Fortran-order .npy with plain text lines", async () => {
    await writeFile(join(folder, "vectors.npy"), npy("<f4", [2, 3], [1, 2, 3, 4, 5, 6]));
    await writeFile(
      join(folder, "texts.jsonl"),
      '"first text"\n{"text": "second text", "inputType": "document"}\n',
    );
    const provider = await createPrecomputedProvider(
      settings({ vectors: "vectors.npy", texts: "texts.jsonl" }),
    );
    const response = await provider.embed({ texts: ["second text", "first text"], inputType: "document" });
    expect(response.embeddings).toEqual([new Float32Array([4, 5, 6]), new Float32Array([1, 2, 3])]);

    // Fortran order stores columns contiguously: rows are (1, 3, 5) and (2, 4, 6).
    await writeFile(join(folder, "vectors64.npy"), npy("<f8", [2, 3], [1, 2, 3, 4, 5, 6], true));
    await writeFile(join(folder, "texts.txt"), "first text\nsecond text\n");
    const fortran = await createPrecomputedProvider(
      settings({ vectors: "vectors64.npy", texts: "texts.txt" }),
    );
    const rows = await fortran.embed({ texts: ["first text", "second text"], inputType: "query" });
    expect(rows.embeddings).toEqual([new Float32Array([1, 3, 5]), new Float32Array([2, 4, 6])]);
  });

  it("rejects a texts file whose length differs from the array's rows, on the first call, naming the file", async () => {
    await writeFile(join(folder, "vectors.npy"), npy("<f4", [2, 1], [1, 2]));
    await writeFile(join(folder, "texts.txt"), "only one\n");
    // The texts are read on the first call (a rerun from the cache reads none of them).
    const short = await createPrecomputedProvider(settings({ vectors: "vectors.npy", texts: "texts.txt" }));
    const shortCall = short.embed({ texts: ["only one"], inputType: "query" });
    await expect(shortCall).rejects.toBeInstanceOf(ProviderError);
    await expect(shortCall).rejects.toThrow(
      `${join(folder, "texts.txt")} lists 1 texts, but ${join(folder, "vectors.npy")} has 2 rows. (${join(folder, "texts.txt")})`,
    );
    await writeFile(join(folder, "texts.txt"), "one\ntwo\nthree\n");
    const long = await createPrecomputedProvider(settings({ vectors: "vectors.npy", texts: "texts.txt" }));
    await expect(long.embed({ texts: ["one"], inputType: "query" })).rejects.toMatchObject({
      message: `More texts than vectors: ${join(folder, "vectors.npy")} has 2 rows. (${join(folder, "texts.txt")}:3)`,
    });
  });

  it("refuses texts that changed between the fingerprint and the first call", async () => {
    await writeFile(join(folder, "vectors.npy"), npy("<f4", [2, 1], [1, 2]));
    await writeFile(join(folder, "texts.txt"), "one\ntwo\n");
    const provider = await createPrecomputedProvider(
      settings({ vectors: "vectors.npy", texts: "texts.txt" }),
    );
    // Same length, other texts: the vectors would be cached under the old files' identity.
    await writeFile(join(folder, "texts.txt"), "two\none\n");
    await expect(provider.embed({ texts: ["one"], inputType: "query" })).rejects.toThrow(
      `${join(folder, "texts.txt")} changed during the run.`,
    );
  });

  it("reads a .npy's values on the first call, and fails that call naming the file when one is not finite", async () => {
    await writeFile(join(folder, "vectors.npy"), npy("<f4", [2, 2], [1, 2, 3, Number.NaN]));
    await writeFile(join(folder, "texts.txt"), "one\ntwo\n");
    // The header and the shape are checked at once; the texts and values are not read yet, so a
    // rerun that finds every vector in the cache never reads them.
    const provider = await createPrecomputedProvider(
      settings({ vectors: "vectors.npy", texts: "texts.txt" }),
    );
    expect(provider.capabilities.dimensions).toBe(2);
    const failure = provider.embed({ texts: ["one"], inputType: "query" });
    await expect(failure).rejects.toBeInstanceOf(ProviderError);
    await expect(failure).rejects.toMatchObject({
      message: `Row 1 of the array has a non-finite value (NaN) at column 1. (${join(folder, "vectors.npy")})`,
      retryable: false,
    });

    // A file cut short fails at once: its size does not match the shape in its header.
    await writeFile(join(folder, "short.npy"), npy("<f4", [2, 2], [1, 2, 3, 4]).subarray(0, -4));
    await expect(
      createPrecomputedProvider(settings({ vectors: "short.npy", texts: "texts.txt" })),
    ).rejects.toThrow("The data holds 12 bytes, but shape (2, 2) of <f4 needs 16.");
  });

  it("fingerprints the vector files: another array gives another cache identity", async () => {
    await writeFile(join(folder, "texts.txt"), "one\n");
    await writeFile(join(folder, "a.npy"), npy("<f4", [1, 2], [1, 2]));
    await writeFile(join(folder, "b.npy"), npy("<f4", [1, 2], [1, 3]));
    const first = await createPrecomputedProvider(settings({ vectors: "a.npy", texts: "texts.txt" }));
    const again = await createPrecomputedProvider(settings({ vectors: "a.npy", texts: "texts.txt" }));
    const other = await createPrecomputedProvider(settings({ vectors: "b.npy", texts: "texts.txt" }));
    expect(first.vectorOptions).toEqual(again.vectorOptions);
    expect(first.vectorOptions).not.toEqual(other.vectorOptions);
    // The texts count too (they are hashed on this thread while the array is hashed in a worker).
    await writeFile(join(folder, "other-texts.txt"), "two\n");
    const otherTexts = await createPrecomputedProvider(
      settings({ vectors: "a.npy", texts: "other-texts.txt" }),
    );
    expect(otherTexts.vectorOptions).not.toEqual(first.vectorOptions);
  });

  it("needs `file` or `vectors` with `texts`, and readable paths", async () => {
    await expect(createPrecomputedProvider(settings({}))).rejects.toBeInstanceOf(ConfigError);
    await expect(createPrecomputedProvider(settings({ vectors: "v.npy" }))).rejects.toThrow(
      "Provider `precomputed` needs either `file` or both `vectors` and `texts`.",
    );
    await expect(createPrecomputedProvider(settings({ file: "absent.jsonl" }))).rejects.toThrow(
      `Option \`file\` of provider \`precomputed\`: ${join(folder, "absent.jsonl")} cannot be read.`,
    );
  });
});

describe("parseNpy", () => {
  it("rejects a wrong magic, big-endian or integer dtypes, 1-D shapes and short data", () => {
    expect(() => parseNpy(Buffer.from("hello world, not numpy"), "x.npy")).toThrow(
      "Not a .npy file: the magic string \\x93NUMPY is missing.",
    );
    const bigEndian = npy("<f4", [1, 1], [1]);
    bigEndian.write(">f4", bigEndian.indexOf("<f4"), "latin1");
    expect(() => parseNpy(bigEndian, "x.npy")).toThrow(
      "Unsupported dtype '>f4': expected little-endian float32 ('<f4') or float64 ('<f8').",
    );
    const oneDimensional = npy("<f4", [1, 1], [1]);
    oneDimensional.write("(1,), ", oneDimensional.indexOf("(1, 1), "), "latin1");
    expect(() => parseNpy(oneDimensional, "x.npy")).toThrow(
      "Expected a 2-D array (texts x dimensions), got shape (1,).",
    );
    const short = npy("<f4", [2, 2], [1, 2, 3, 4]).subarray(0, -4);
    expect(() => parseNpy(short, "x.npy")).toThrow(
      "The data holds 12 bytes, but shape (2, 2) of <f4 needs 16.",
    );
  });

  it("gives rows as consecutive views of one array, aligned or not, and leaves the bytes as read", () => {
    const file = npy("<f4", [2, 3], [1, 2, 3, 4, 5, 6]);
    const aligned = parseNpy(file, "x.npy");
    expect([...aligned.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(aligned.vectors.map((row) => [...row])).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(aligned.vectors[1]?.buffer).toBe(aligned.data.buffer);
    expect(aligned.vectors[1]?.byteOffset).toBe(aligned.data.byteOffset + 12);
    // One byte in: the data is no longer 4-byte aligned and must be copied, to the same values.
    const shifted = Buffer.concat([Buffer.from([0]), file]).subarray(1);
    expect([...parseNpy(shifted, "x.npy").data]).toEqual([1, 2, 3, 4, 5, 6]);
    const fortran = npy("<f4", [2, 3], [1, 4, 2, 5, 3, 6], true);
    const before = Buffer.from(fortran);
    expect([...parseNpy(fortran, "x.npy").data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fortran.equals(before)).toBe(true);
  });
});
