"""The end-to-end benchmark's Python peers: the same files, the same nDCG@10, as whole processes.

Usage: python3 peer_pipeline.py torch|faiss FOLDER
  torch: numpy + PyTorch matmul and topk, MTEB's own method (cosine: normalised vectors, top 1000);
  faiss: numpy + faiss IndexFlatIP (exact inner-product search) on the normalised vectors.
Reads FOLDER/vectors.npy (documents first, then queries, as texts.jsonl lists them), the BEIR folder's
corpus, queries and qrels, and prints one JSON line: nDCG@10 (trec_eval's formula, gains as judged,
log2 discount, ideal from the qrels), the stage times and the BLAS library the process loaded.
"""
import json
import math
import sys
import time

import numpy as np

started = time.perf_counter()
method, folder = sys.argv[1], sys.argv[2]


def read_jsonl(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


document_ids = [record["_id"] for record in read_jsonl(f"{folder}/data/corpus.jsonl")]
query_ids = [record["_id"] for record in read_jsonl(f"{folder}/data/queries.jsonl")]
qrels = {}
with open(f"{folder}/data/qrels/test.tsv", encoding="utf-8") as handle:
    next(handle)
    for line in handle:
        query, document, score = line.rstrip("\n").split("\t")
        qrels.setdefault(query, {})[document] = int(score)
vectors = np.load(f"{folder}/vectors.npy")
documents = vectors[: len(document_ids)]
queries = vectors[len(document_ids) : len(document_ids) + len(query_ids)]
loaded = time.perf_counter()

top_k = 1000
if method == "torch":
    import torch

    document_tensor = torch.nn.functional.normalize(torch.from_numpy(documents), dim=1)
    query_tensor = torch.nn.functional.normalize(torch.from_numpy(queries), dim=1)
    scores, indices = torch.topk(query_tensor @ document_tensor.T, top_k, dim=1, largest=True, sorted=True)
    scores, indices = scores.numpy(), indices.numpy()
else:
    import faiss

    documents = np.ascontiguousarray(documents, dtype=np.float32)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    faiss.normalize_L2(documents)
    faiss.normalize_L2(queries)
    index = faiss.IndexFlatIP(documents.shape[1])
    index.add(documents)
    scores, indices = index.search(queries, top_k)
searched = time.perf_counter()

total = 0.0
judged = 0
for row, query in enumerate(query_ids):
    relevant = qrels.get(query)
    if not relevant:
        continue
    judged += 1
    # trec_eval's order: score descending, then document id descending.
    pairs = [(float(scores[row][rank]), document_ids[indices[row][rank]]) for rank in range(top_k)]
    # Two stable sorts: by id descending, then by score descending.
    pairs.sort(key=lambda pair: pair[1], reverse=True)
    ranked = sorted(pairs, key=lambda pair: -pair[0])[:10]
    dcg = sum(relevant.get(document, 0) / math.log2(rank + 2) for rank, (_, document) in enumerate(ranked))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    total += dcg / idcg if idcg > 0 else 0.0
finished = time.perf_counter()


def blas_in_use():
    """Which BLAS this process loaded: Debian's reference BLAS (when no optimised one is installed)
    runs the peers' matrix products ten to thirty times slower, which would make them unfair peers."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as handle:
            paths = {line.split()[-1] for line in handle if "/" in line}
    except OSError:
        return "unknown"
    names = " ".join(sorted(paths))
    if "openblas" in names:
        return "OpenBLAS"
    if "mkl" in names:
        return "MKL"
    if "blis" in names:
        return "BLIS"
    if "libblas.so" in names:
        return "reference BLAS"
    return "unknown"


print(
    json.dumps(
        {
            "method": method,
            "ndcg_at_10": total / max(judged, 1),
            "load_seconds": loaded - started,
            "search_seconds": searched - loaded,
            "score_seconds": finished - searched,
            "blas": blas_in_use(),
        }
    )
)
