import type { LocalTaskType } from "@embedeval/core";

/**
 * What `embedeval init --task-type <type>` writes: a few rows of the type's local layout (see
 * docs/task-types.md), enough to run and to copy from. File name -> JSON Lines rows.
 */
export const taskTypeExamples: Record<LocalTaskType, Record<string, unknown[]>> = {
  sts: {
    "test.jsonl": [
      {
        sentence1: "How do I reset my password?",
        sentence2: "I forgot my password, how can I change it?",
        score: 4.5,
      },
      {
        sentence1: "How do I reset my password?",
        sentence2: "Passwords must have twelve characters.",
        score: 2,
      },
      { sentence1: "How do I reset my password?", sentence2: "The office is closed on Sundays.", score: 0 },
      { sentence1: "Where is my invoice?", sentence2: "Find the bill for last month.", score: 4 },
    ],
  },
  "pair-classification": {
    "test.jsonl": [
      {
        sentence1: "How do I reset my password?",
        sentence2: "I forgot my password, how can I change it?",
        label: 1,
      },
      { sentence1: "How do I reset my password?", sentence2: "Where is my invoice?", label: 0 },
      { sentence1: "Where is my invoice?", sentence2: "Find the bill for last month.", label: 1 },
    ],
  },
  summarization: {
    "test.jsonl": [
      {
        text: "The source text is never embedded; it is here for reference.",
        human_summaries: ["A short reference summary.", "Another reference summary."],
        machine_summaries: [
          "A generated summary.",
          "An unrelated sentence.",
          "A close paraphrase of the reference.",
        ],
        relevance: [3.5, 1, 4.5],
      },
    ],
  },
  "bitext-mining": {
    "test.jsonl": [
      { sentence1: "Good morning", sentence2: "Guten Morgen" },
      { sentence1: "Thank you very much", sentence2: "Vielen Dank" },
      { sentence1: "Where is the station?", sentence2: "Wo ist der Bahnhof?" },
    ],
  },
  classification: {
    "train.jsonl": [
      { text: "I love this product", label: 1 },
      { text: "Terrible support, never again", label: 0 },
      { text: "Works as described, very happy", label: 1 },
      { text: "It broke after two days", label: 0 },
    ],
    "test.jsonl": [
      { text: "Great value for the price", label: 1 },
      { text: "The worst purchase I made this year", label: 0 },
    ],
  },
  // Each experiment needs at least 5 labelled train rows: MTEB's classifier votes among 5 neighbours.
  "multilabel-classification": {
    "train.jsonl": [
      { text: "The invoice was charged twice", label: ["billing"] },
      { text: "Refund the duplicate charge on my card", label: ["billing", "payments"] },
      { text: "The app crashes when I open settings", label: ["bug"] },
      { text: "Card payment fails and the app freezes", label: ["payments", "bug"] },
      { text: "How do I change my billing address?", label: ["billing", "account"] },
      { text: "I cannot log in to my account", label: ["account"] },
      { text: "Apple Pay is not accepted at checkout", label: ["payments"] },
      { text: "Thanks, everything works now", label: [] },
    ],
    "test.jsonl": [
      { text: "I was billed two times this month", label: ["billing"] },
      { text: "Login page crashes on my phone", label: ["account", "bug"] },
      { text: "My card is declined when I pay", label: ["payments"] },
    ],
  },
  // MTEB embeds 4% of a clustering split, so an example needs at least 50 documents for 2 to be drawn.
  clustering: {
    "test.jsonl": ["account", "billing", "network"].flatMap((topic) =>
      Array.from({ length: 20 }, (_, index) => ({
        sentences: `${topic} question number ${index + 1}`,
        labels: topic,
      })),
    ),
  },
  reranking: {
    "corpus.jsonl": [
      { _id: "d1", title: "Passwords", text: "Reset a forgotten password from the sign-in page." },
      { _id: "d2", title: "Billing", text: "Invoices are emailed on the first of the month." },
    ],
    "queries.jsonl": [{ _id: "q1", text: "I forgot my password" }],
    "top_ranked.jsonl": [{ "query-id": "q1", "corpus-ids": ["d1", "d2"] }],
  },
};

/** BEIR qrels for the reranking example (a TSV file, not JSON Lines). */
export const rerankingExampleQrels = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\n";
