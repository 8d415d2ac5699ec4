/** A retrieval dataset in memory, in BEIR's shape. Loaders produce it; the retrieval task consumes it. */

export interface CorpusDocument {
  id: string;
  title: string;
  text: string;
}

export interface Query {
  id: string;
  text: string;
}

import type { Qrels } from "../trec/qrels.js";

export type { Qrels };

export interface RetrievalDataset {
  /** Task name as shown in results, e.g. "SciFact" or "quickstart". */
  name: string;
  /** Documents in file order. */
  corpus: CorpusDocument[];
  /** Queries in file order. */
  queries: Query[];
  /** Judgments for the split being evaluated. */
  qrels: Qrels;
  split: string;
  /**
   * The hub commit (40 hex) the files were read at, for hub and MTEB tasks, whatever branch or tag the
   * config named: what MTEB records as `dataset_revision`. Undefined for local folders.
   */
  hubRevision?: string;
  /** sha256 over the corpus, queries and qrels bytes: the dataset revision of local folders. */
  contentHash: string;
  /** Counted, non-fatal problems (e.g. qrels naming unknown documents), already summarised. */
  warnings: string[];
}
