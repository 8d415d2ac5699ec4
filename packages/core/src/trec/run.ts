/** A ranking: query id -> scored documents, in any order (metrics sort them the trec_eval way). */
export interface RankedDocument {
  id: string;
  score: number;
}

export type Run = ReadonlyMap<string, readonly RankedDocument[]>;
