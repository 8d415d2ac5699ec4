/** Relevance judgments: query id -> document id -> grade. Grade 0 is kept (judged non-relevant). */
export type Qrels = Map<string, Map<string, number>>;
