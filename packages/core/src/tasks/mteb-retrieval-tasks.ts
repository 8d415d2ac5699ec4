/**
 * Every retrieval task of MTEB(eng, v1), MTEB(eng, v2) and NanoBEIR, as MTEB's task metadata states it
 * (embeddings-benchmark/mteb at a905523d, mteb/tasks/retrieval/eng/*.py): MTEB's task name, the hub
 * dataset, the revision MTEB pins, the splits it evaluates and its `ignore_identical_ids` class flag.
 * All use ndcg_at_10 as the main score. The benchmarks list their tasks as
 * mteb/benchmarks/benchmarks/benchmarks.py does (MTEB_ENG_CLASSIC, MTEB_EN, NANOBEIR).
 */

export interface MtebRetrievalTask {
  /** MTEB's task name, as in its results files (`SciFact.json`). */
  name: string;
  /** Other names accepted in a config (e.g. `Quora` for MTEB's `QuoraRetrieval`). */
  aliases: readonly string[];
  /** Hub dataset id. */
  repository: string;
  /** The dataset revision MTEB pins in its task metadata, so scores are comparable with its leaderboard. */
  revision: string;
  /** Splits MTEB evaluates by default. */
  splits: readonly string[];
  ignoreIdenticalIds: boolean;
  mainScore: "ndcg_at_10";
}

function task(
  name: string,
  repository: string,
  revision: string,
  options: { splits?: string[]; ignoreIdenticalIds?: boolean; aliases?: string[] } = {},
): MtebRetrievalTask {
  return {
    name,
    aliases: options.aliases ?? [],
    repository,
    revision,
    splits: options.splits ?? ["test"],
    ignoreIdenticalIds: options.ignoreIdenticalIds ?? false,
    mainScore: "ndcg_at_10",
  };
}

export const mtebRetrievalTaskList: readonly MtebRetrievalTask[] = [
  task("ArguAna", "mteb/arguana", "c22ab2a51041ffd869aaddef7af8d8215647e41a", { ignoreIdenticalIds: true }),
  task("ClimateFEVER", "mteb/climate-fever", "47f2ac6acb640fc46020b02a5b59fdda04d39380"),
  task(
    "CQADupstackAndroidRetrieval",
    "mteb/CQADupstackAndroidRetrieval",
    "9be4c0e46342e8e3aff577a89b9a1ec9bc6b4af3",
  ),
  task("CQADupstackEnglishRetrieval", "mteb/cqadupstack-english", "ad9991cb51e31e31e430383c75ffb2885547b5f0"),
  task("CQADupstackGamingRetrieval", "mteb/cqadupstack-gaming", "4885aa143210c98657558c04aaf3dc47cfb54340"),
  task("CQADupstackGisRetrieval", "mteb/cqadupstack-gis", "5003b3064772da1887988e05400cf3806fe491f2"),
  task(
    "CQADupstackMathematicaRetrieval",
    "mteb/cqadupstack-mathematica",
    "90fceea13679c63fe563ded68f3b6f06e50061de",
  ),
  task("CQADupstackPhysicsRetrieval", "mteb/cqadupstack-physics", "79531abbd1fb92d06c6d6315a0cbbbf5bb247ea4"),
  task(
    "CQADupstackProgrammersRetrieval",
    "mteb/cqadupstack-programmers",
    "6184bc1440d2dbc7612be22b50686b8826d22b32",
  ),
  task("CQADupstackStatsRetrieval", "mteb/cqadupstack-stats", "65ac3a16b8e91f9cee4c9828cc7c335575432a2a"),
  task("CQADupstackTexRetrieval", "mteb/cqadupstack-tex", "46989137a86843e03a6195de44b09deda022eec7"),
  task("CQADupstackUnixRetrieval", "mteb/cqadupstack-unix", "6c6430d3a6d36f8d2a829195bc5dc94d7e063e53"),
  task(
    "CQADupstackWebmastersRetrieval",
    "mteb/cqadupstack-webmasters",
    "160c094312a0e1facb97e55eeddb698c0abe3571",
  ),
  task(
    "CQADupstackWordpressRetrieval",
    "mteb/cqadupstack-wordpress",
    "4ffe81d471b1924886b33c7567bfb200e9eec5c4",
  ),
  task("DBPedia", "mteb/dbpedia", "c0f706b76e590d620bd6618b3ca8efdd34e2d659"),
  task("FEVER", "mteb/fever", "bea83ef9e8fb933d90a2f1d5515737465d613e12", { ignoreIdenticalIds: true }),
  task("FiQA2018", "mteb/fiqa", "27a168819829fe9bcd655c2df245fb19452e8e06", {
    ignoreIdenticalIds: true,
    aliases: ["FiQA"],
  }),
  task("HotpotQA", "mteb/hotpotqa", "ab518f4d6fcca38d87c25209f94beba119d02014"),
  task("MSMARCO", "mteb/msmarco", "c5a29a104738b98a9e76336939199e264163d4a0", {
    splits: ["dev"],
    ignoreIdenticalIds: true,
  }),
  task("NFCorpus", "mteb/nfcorpus", "ec0fa4fe99da2ff19ca1214b7966684033a58814"),
  task("NQ", "mteb/nq", "b774495ed302d8c44a3a7ea25c90dbce03968f31"),
  task("QuoraRetrieval", "mteb/quora", "e4e08e0b7dbe3c8700f0daef558ff32256715259", {
    ignoreIdenticalIds: true,
    aliases: ["Quora"],
  }),
  task("SCIDOCS", "mteb/scidocs", "f8c2fcf00f625baaa80f62ec5bd9e1fff3b8ae88"),
  task("SciFact", "mteb/scifact", "d56462d0e63a25450459c4f213e49ffdb866f7f9"),
  task("TRECCOVID", "mteb/trec-covid", "bb9466bac8153a0349341eb1b22e06409e78ef4e", {
    aliases: ["TREC-COVID"],
  }),
  task("Touche2020", "mteb/touche2020", "a34f9a33db75fa0cbb21bb5cfc3dae8dc8bec93f"),
  task(
    "ClimateFEVERHardNegatives",
    "mteb/ClimateFEVER_test_top_250_only_w_correct-v2",
    "3a309e201f3c2c4b13bd4a367a8f37eee2ec1d21",
  ),
  task(
    "FEVERHardNegatives",
    "mteb/FEVER_test_top_250_only_w_correct-v2",
    "080c9ed6267b65029207906e815d44a9240bafca",
    { ignoreIdenticalIds: true },
  ),
  task(
    "HotpotQAHardNegatives",
    "mteb/HotpotQA_test_top_250_only_w_correct-v2",
    "617612fa63afcb60e3b134bed8b7216a99707c37",
  ),
  task("Touche2020Retrieval.v3", "mteb/webis-touche2020-v3", "431886eaecc48f067a3975b70d0949ea2862463c"),
  task("NanoArguAnaRetrieval", "zeta-alpha-ai/NanoArguAna", "8f4a982d470a32c45817738b9d29042ca55d75ad", {
    splits: ["train"],
  }),
  task(
    "NanoClimateFeverRetrieval",
    "zeta-alpha-ai/NanoClimateFEVER",
    "96741bfa30b9f56db8c9eb7d08e775ed6474f206",
    { splits: ["train"] },
  ),
  task("NanoDBPediaRetrieval", "zeta-alpha-ai/NanoDBPedia", "438f1c25129f05db6238699b5afdc9c6b58d2096", {
    splits: ["train"],
  }),
  task("NanoFEVERRetrieval", "zeta-alpha-ai/NanoFEVER", "a8bfdf1bf15181167a7e22e69cf8754bdea9b4c8", {
    splits: ["train"],
  }),
  task("NanoFiQA2018Retrieval", "zeta-alpha-ai/NanoFiQA2018", "4163ba032953d5044a7a6244261413f609c14342", {
    splits: ["train"],
  }),
  task("NanoHotpotQARetrieval", "zeta-alpha-ai/NanoHotpotQA", "d79c0cdda980aba54842756770928035e1b61a51", {
    splits: ["train"],
  }),
  task("NanoMSMARCORetrieval", "zeta-alpha-ai/NanoMSMARCO", "7b8ff22f2771dc65ac5b439f222eb19a1f56abda", {
    splits: ["train"],
  }),
  task("NanoNFCorpusRetrieval", "zeta-alpha-ai/NanoNFCorpus", "dd542a7efb9ad2136b9e00768b60fca9038f8156", {
    splits: ["train"],
  }),
  task("NanoNQRetrieval", "zeta-alpha-ai/NanoNQ", "77540146379abf95df8326a3c5bb9eb21c7146c3", {
    splits: ["train"],
  }),
  task("NanoQuoraRetrieval", "zeta-alpha-ai/NanoQuoraRetrieval", "2ab2d73e6c862026282808b913a34f4136928545", {
    splits: ["train"],
  }),
  task("NanoSCIDOCSRetrieval", "zeta-alpha-ai/NanoSCIDOCS", "484eb90549fc3f0b9c42b3551e80ceb999515537", {
    splits: ["train"],
  }),
  task("NanoSciFactRetrieval", "zeta-alpha-ai/NanoSciFact", "309f1d1ae3ae2e092444a8a0c25bed59b82318bc", {
    splits: ["train"],
  }),
  task(
    "NanoTouche2020Retrieval",
    "zeta-alpha-ai/NanoTouche2020",
    "0d2f26ed8c5ad309f95c7f9499c70a40e140fccd",
    { splits: ["train"] },
  ),
];

export interface MtebBenchmark {
  /** MTEB's benchmark name, e.g. "MTEB(eng, v2)". */
  name: string;
  aliases: readonly string[];
  /** Its retrieval tasks, by MTEB task name. */
  tasks: readonly string[];
  /** What differs from MTEB's own scoring of the benchmark, said where the benchmark is expanded. */
  note?: string;
}

const cqadupstack = [
  "Android",
  "English",
  "Gaming",
  "Gis",
  "Mathematica",
  "Physics",
  "Programmers",
  "Stats",
  "Tex",
  "Unix",
  "Webmasters",
  "Wordpress",
].map((forum) => `CQADupstack${forum}Retrieval`);

export const mtebBenchmarkList: readonly MtebBenchmark[] = [
  {
    name: "MTEB(eng, v2)",
    aliases: ["MTEB(eng)"],
    tasks: [
      "ArguAna",
      "CQADupstackGamingRetrieval",
      "CQADupstackUnixRetrieval",
      "ClimateFEVERHardNegatives",
      "FEVERHardNegatives",
      "FiQA2018",
      "HotpotQAHardNegatives",
      "SCIDOCS",
      "TRECCOVID",
      "Touche2020Retrieval.v3",
    ],
  },
  {
    name: "MTEB(eng, v1)",
    aliases: ["MTEB(eng, classic)", "MTEB"],
    tasks: [
      "ArguAna",
      "ClimateFEVER",
      ...cqadupstack,
      "DBPedia",
      "FEVER",
      "FiQA2018",
      "HotpotQA",
      "MSMARCO",
      "NFCorpus",
      "NQ",
      "QuoraRetrieval",
      "SCIDOCS",
      "SciFact",
      "TRECCOVID",
      "Touche2020",
    ],
    note: "MTEB reports the 12 CQADupstack forums as one task, CQADupstackRetrieval, the mean of their scores; here each forum is its own task.",
  },
  {
    name: "NanoBEIR",
    aliases: [],
    tasks: [
      "NanoArguAnaRetrieval",
      "NanoClimateFeverRetrieval",
      "NanoDBPediaRetrieval",
      "NanoFEVERRetrieval",
      "NanoFiQA2018Retrieval",
      "NanoHotpotQARetrieval",
      "NanoMSMARCORetrieval",
      "NanoNFCorpusRetrieval",
      "NanoNQRetrieval",
      "NanoQuoraRetrieval",
      "NanoSCIDOCSRetrieval",
      "NanoSciFactRetrieval",
      "NanoTouche2020Retrieval",
    ],
  },
];
