import type { RankedDocument, Run } from "./run.js";

/**
 * The search's result as a Run, kept as its columns (a document index and a score per rank): each
 * query's list is built when it is read. A million `{ id, score }` objects built at once cost 300-370 ms
 * in a fresh process, most of it the garbage collector copying them as they survive; built per query
 * as the scorer and the predictions read them, they die young, which costs next to nothing.
 * Each read builds a new list, so a caller may keep or change what it gets.
 */
export class SearchRun implements ReadonlyMap<string, readonly RankedDocument[]> {
  /** Query id -> its row in the columns; a repeated id keeps its first place and its last row, as a Map would. */
  private readonly rows = new Map<string, number>();

  /**
   * The columns, for readers that skip the lists (evaluateRun): row r holds ranks r × k to r × k + k − 1.
   * `documentIds` are distinct, as a dataset's are.
   */
  constructor(
    queryIds: readonly string[],
    readonly documentIds: readonly string[],
    /** queryIds.length × k document indices, best first in trec_eval's order. */
    readonly indices: Uint32Array,
    /** The scores matching `indices`. */
    readonly scores: Float32Array,
    readonly k: number,
  ) {
    for (let row = 0; row < queryIds.length; row++) this.rows.set(queryIds[row] as string, row);
  }

  get size(): number {
    return this.rows.size;
  }

  has(queryId: string): boolean {
    return this.rows.has(queryId);
  }

  get(queryId: string): RankedDocument[] | undefined {
    const row = this.rows.get(queryId);
    return row === undefined ? undefined : this.list(row);
  }

  /**
   * The first `count` documents of a query's list, leaving out the document whose id is `skipId`: a
   * row is in trec_eval's order already (score descending, ties by document id descending), so its
   * head is its top. Undefined for a query not in the run.
   */
  head(queryId: string, count: number, skipId?: string): RankedDocument[] | undefined {
    const row = this.rows.get(queryId);
    if (row === undefined) return undefined;
    const documents: RankedDocument[] = [];
    for (
      let position = row * this.k;
      position < row * this.k + this.k && documents.length < count;
      position++
    ) {
      const id = this.documentIds[this.indices[position] as number] as string;
      if (id !== skipId) documents.push({ id, score: this.scores[position] as number });
    }
    return documents;
  }

  /** Each query id with its row in the columns, in the run's order. */
  rowsByQuery(): MapIterator<[string, number]> {
    return this.rows.entries();
  }

  keys(): MapIterator<string> {
    return this.rows.keys();
  }

  *entries(): MapIterator<[string, RankedDocument[]]> {
    for (const [queryId, row] of this.rows) yield [queryId, this.list(row)];
  }

  *values(): MapIterator<RankedDocument[]> {
    for (const row of this.rows.values()) yield this.list(row);
  }

  [Symbol.iterator](): MapIterator<[string, RankedDocument[]]> {
    return this.entries();
  }

  forEach(
    callback: (documents: readonly RankedDocument[], queryId: string, run: Run) => void,
    thisArgument?: unknown,
  ): void {
    for (const [queryId, row] of this.rows) callback.call(thisArgument, this.list(row), queryId, this);
  }

  private list(row: number): RankedDocument[] {
    const documents = new Array<RankedDocument>(this.k);
    for (let rank = 0; rank < this.k; rank++) {
      const position = row * this.k + rank;
      documents[rank] = {
        id: this.documentIds[this.indices[position] as number] as string,
        score: this.scores[position] as number,
      };
    }
    return documents;
  }
}
