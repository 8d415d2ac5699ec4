/**
 * The MTEB(eng, v2) tasks of every type but retrieval, as MTEB 2.20's task metadata and the benchmark
 * state them (embeddings-benchmark/mteb at a905523d; ../shared/reference/mteb-task-types.md §11): task
 * name, type, hub dataset and pinned revision, the subset the benchmark keeps, the evaluated split, the
 * main score, and what the task's own preparation needs. Retrieval tasks are in mteb-retrieval-tasks.ts.
 */
import type { MtebTaskType } from "./shared/task-type.js";

/**
 * What a task's `dataset_transform` draws or drops, as MTEB 2.20 does it (tasks/shared/hub-train-test-split.ts):
 * - `stratified-subsample`: `stratified_subsampling` of the evaluated split to `size` rows by its label
 *   (ToxicConversations; StackExchangeClustering.v2, which then embeds all of them: `embedAll`);
 * - `drop-singleton-labels`: the one row of each label that occurs once is removed (StackExchangeClusteringP2P.v2);
 * - `hierarchical-random-subsample`: labels split on `separator` into hierarchy levels, then
 *   `train_test_split(test_size=size, seed=42)` keeps `size` random rows (ArXivHierarchicalClustering*).
 */
export type MtebPreparation =
  | { kind: "stratified-subsample"; size: number; embedAll?: boolean }
  | { kind: "drop-singleton-labels" }
  | { kind: "hierarchical-random-subsample"; size: number; separator: string };

export interface MtebTypedTask {
  name: string;
  type: Exclude<MtebTaskType, "Retrieval">;
  repository: string;
  revision: string;
  /** The hub subset MTEB(eng, v2) evaluates ("default", or "en" / "en-en" for multilingual datasets). */
  subset: string;
  split: string;
  mainScore: string;
  /** STS: the gold score range MTEB rescales by (0..5 unless stated). */
  scoreRange?: [number, number];
  /** Classification: rows kept per label per experiment (8 unless stated). */
  samplesPerLabel?: number;
  /** The task's own `dataset_transform` beyond renaming columns and flattening cluster sets. */
  preparation?: MtebPreparation;
  /** Reranking: MindSmall's sub-query merge. */
  maxOverSubqueries?: boolean;
  /** The dataset's hub layout, as the reference lists it. */
  layout: string;
}

function typed(
  name: string,
  type: MtebTypedTask["type"],
  repository: string,
  revision: string,
  mainScore: string,
  layout: string,
  extra: Partial<MtebTypedTask> = {},
): MtebTypedTask {
  return { name, type, repository, revision, subset: "default", split: "test", mainScore, layout, ...extra };
}

const sts = (name: string, repository: string, revision: string, extra: Partial<MtebTypedTask> = {}) =>
  typed(name, "STS", repository, revision, "cosine_spearman", extra.layout ?? "jsonl", extra);

export const mtebTypedTaskList: readonly MtebTypedTask[] = [
  typed(
    "AskUbuntuDupQuestions",
    "Reranking",
    "mteb/AskUbuntuDupQuestions",
    "c5691e3c48741d5f83b5cc8e630653d7a8cfc048",
    "map_at_1000",
    "corpus/queries/default/top_ranked configs (parquet)",
  ),
  typed(
    "MindSmallReranking",
    "Reranking",
    "mteb/MindSmallReranking",
    "227478e3235572039f4f7661840e059f31ef6eb1",
    "max_over_subqueries_map_at_1000",
    "corpus/queries/default/top_ranked configs (parquet)",
    { maxOverSubqueries: true },
  ),
  sts("BIOSSES", "mteb/biosses-sts", "d3fb88f8f02e40887cd149695127462bbcf29b4a"),
  sts("SICK-R", "mteb/sickr-sts", "20a6d6f312dd54037fe07a32d58e5e168867909d"),
  sts("STS12", "mteb/sts12-sts", "a0d554a64d88156834ff5ae9920b964011b16384", { layout: "jsonl.gz" }),
  sts("STS13", "mteb/sts13-sts", "7e90230a92c190f1bf69ae9002b8cea547a64cca"),
  sts("STS14", "mteb/sts14-sts", "6031580fec1f6af667f0bd2da0a551cf4f0b2375", { layout: "jsonl.gz" }),
  sts("STS15", "mteb/sts15-sts", "ae752c7c21bf194d8b67fd573edf7ae58183cbe3", { layout: "jsonl.gz" }),
  sts("STSBenchmark", "mteb/stsbenchmark-sts", "b0fddb56ed78048fa8b90373c8a3cfc37b684831"),
  sts("STS17", "mteb/sts17-crosslingual-sts", "faeb762787bd10488a50c8b5be4a3b82e411949c", {
    subset: "en-en",
    layout: "default config split by lang",
  }),
  sts("STS22.v2", "mteb/sts22-crosslingual-sts", "d31f33a128469b20e357535c39b82fb3c3f6f2bd", {
    subset: "en",
    scoreRange: [1, 4],
    layout: "default config split by lang",
  }),
  typed(
    "SprintDuplicateQuestions",
    "PairClassification",
    "mteb/sprintduplicatequestions-pairclassification",
    "d66bd1f72af766a5cc4b0ca5e00c162f89e8cc46",
    "max_ap",
    "json.gz, one row of lists",
  ),
  typed(
    "TwitterSemEval2015",
    "PairClassification",
    "mteb/twittersemeval2015-pairclassification",
    "70970daeab8776df92f5ea462b6173c0b46fd2d1",
    "max_ap",
    "json.gz, one row of lists",
  ),
  typed(
    "TwitterURLCorpus",
    "PairClassification",
    "mteb/twitterurlcorpus-pairclassification",
    "8b6510b0b1fa4e4c4f879467980e9be563ec1cdf",
    "max_ap",
    "json.gz, one row of lists",
  ),
  typed(
    "SummEvalSummarization.v2",
    "Summarization",
    "mteb/summeval",
    "cda12ad7615edc362dbf25a00fdd61d3b1eaf93c",
    "cosine_spearman",
    "parquet",
  ),
  typed(
    "AmazonCounterfactualClassification",
    "Classification",
    "mteb/amazon_counterfactual",
    "1f7e6a9d6fa6e64c53d146e428565640410c0df1",
    "accuracy",
    "per-language config",
    { subset: "en", samplesPerLabel: 32 },
  ),
  typed(
    "Banking77Classification",
    "Classification",
    "mteb/banking77",
    "0fd18e25b25c072e09e0d92ab615fda904d66300",
    "accuracy",
    "jsonl",
  ),
  typed(
    "ImdbClassification",
    "Classification",
    "mteb/imdb",
    "3d86128a09e091d6018b6d26cad27f2739fc2db7",
    "accuracy",
    "jsonl",
  ),
  typed(
    "MTOPDomainClassification",
    "Classification",
    "mteb/MTOPDomainClassification",
    "a76d16fae880597b9c73047b50159220a441cb54",
    "accuracy",
    "per-language config (parquet)",
    { subset: "en" },
  ),
  typed(
    "MassiveIntentClassification",
    "Classification",
    "mteb/amazon_massive_intent",
    "4672e20407010da34463acc759c162ca9734bca6",
    "accuracy",
    "default config split by lang",
    { subset: "en" },
  ),
  typed(
    "MassiveScenarioClassification",
    "Classification",
    "mteb/amazon_massive_scenario",
    "fad2c6e8459f9e1c45d9315f4953d921437d70f8",
    "accuracy",
    "default config split by lang",
    { subset: "en" },
  ),
  typed(
    "ToxicConversationsClassification",
    "Classification",
    "mteb/toxic_conversations_50k",
    "edfaf9da55d3dd50d43143d90c1ac476895ae6de",
    "accuracy",
    "jsonl",
    { samplesPerLabel: 16, preparation: { kind: "stratified-subsample", size: 2048 } },
  ),
  typed(
    "TweetSentimentExtractionClassification",
    "Classification",
    "mteb/tweet_sentiment_extraction",
    "d604517c81ca91fe16a244d1248fc021f9ecee7a",
    "accuracy",
    "jsonl",
    { samplesPerLabel: 32 },
  ),
  typed(
    "ArXivHierarchicalClusteringP2P",
    "Clustering",
    "mteb/arxiv-clustering-p2p",
    "0bbdb47bcbe3a90093699aefeed338a0f28a7ee8",
    "v_measure",
    "jsonl.gz of cluster sets; 2048-row split, labels split on '.'",
    { preparation: { kind: "hierarchical-random-subsample", size: 2048, separator: "." } },
  ),
  typed(
    "ArXivHierarchicalClusteringS2S",
    "Clustering",
    "mteb/arxiv-clustering-s2s",
    "b73bd54100e5abfa6e3a23dcafb46fe4d2438dc3",
    "v_measure",
    "jsonl.gz of cluster sets; 2048-row split, labels split on '.'",
    { preparation: { kind: "hierarchical-random-subsample", size: 2048, separator: "." } },
  ),
  typed(
    "BiorxivClusteringP2P.v2",
    "Clustering",
    "mteb/biorxiv-clustering-p2p",
    "f5dbc242e11dd8e24def4c4268607a49e02946dc",
    "v_measure",
    "one row per document",
  ),
  typed(
    "MedrxivClusteringP2P.v2",
    "Clustering",
    "mteb/medrxiv-clustering-p2p",
    "e7a26af6f3ae46b30dde8737f02c07b1505bcc73",
    "v_measure",
    "cluster sets, flattened",
  ),
  typed(
    "MedrxivClusteringS2S.v2",
    "Clustering",
    "mteb/medrxiv-clustering-s2s",
    "35191c8c0dca72d8ff3efcd72aa802307d469663",
    "v_measure",
    "cluster sets, flattened",
  ),
  typed(
    "StackExchangeClustering.v2",
    "Clustering",
    "mteb/stackexchange-clustering",
    "6cbc1f7b2bc0622f2e39d2c77fa502909748c259",
    "v_measure",
    "jsonl of cluster sets, flattened, stratified 2048, all embedded",
    { preparation: { kind: "stratified-subsample", size: 2048, embedAll: true } },
  ),
  typed(
    "StackExchangeClusteringP2P.v2",
    "Clustering",
    "mteb/stackexchange-clustering-p2p",
    "815ca46b2622cec33ccafc3735d572c266efdb44",
    "v_measure",
    "jsonl.gz of cluster sets, flattened, singleton labels dropped",
    { preparation: { kind: "drop-singleton-labels" } },
  ),
  typed(
    "TwentyNewsgroupsClustering.v2",
    "Clustering",
    "mteb/twentynewsgroups-clustering",
    "6125ec4e24fa026cec8a478383ee943acfbd5449",
    "v_measure",
    "cluster sets, flattened",
  ),
];

/** The non-retrieval task a name refers to, or undefined. */
export function findMtebTypedTask(name: string): MtebTypedTask | undefined {
  return mtebTypedTaskList.find((task) => task.name === name);
}

/** The benchmark whose non-retrieval tasks this list holds (all 31 belong to it). */
export const mtebTypedTasksBenchmark = "MTEB(eng, v2)";
