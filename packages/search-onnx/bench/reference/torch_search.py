"""Same-machine reference for `pnpm bench search`: MTEB's own exact search in PyTorch.

MTEB (v2, search with a similarity matrix) L2-normalises queries and documents in float32, computes
`queries @ documents.T` per corpus chunk (50,000 documents), takes `topk` per chunk and merges the chunks'
candidates. This script times the same on 1,000 queries x 100,000 x 768 random float32 vectors.
Not shipped; needs `apt-get install -y python3-torch python3-numpy` (Debian) or `pip install torch`.
For MKL on Debian: add the non-free component, `apt-get install -y libmkl-rt`, then
`update-alternatives --set libblas.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/libmkl_rt.so`.

    python3 packages/search-onnx/bench/reference/torch_search.py
"""

import json
import re
import resource
import time

import torch

import os

# Debian's python3-torch starts with one thread; MTEB users get one per core.
torch.set_num_threads(os.cpu_count() or 1)
generator = torch.Generator().manual_seed(1)
query_count, document_count, dimension = 1000, 100_000, 768
queries = torch.rand(query_count, dimension, generator=generator) * 2 - 1
documents = torch.rand(document_count, dimension, generator=generator) * 2 - 1
chunk_size = 50_000


def search(top_k: int) -> tuple[float, float]:
    started = time.perf_counter()
    cpu_started = time.process_time()
    normalised_queries = torch.nn.functional.normalize(queries, p=2, dim=1)
    best_scores, best_indices = None, None
    for start in range(0, document_count, chunk_size):
        chunk = torch.nn.functional.normalize(documents[start : start + chunk_size], p=2, dim=1)
        scores = normalised_queries @ chunk.T
        values, indices = torch.topk(scores, min(top_k, scores.shape[1]), dim=1, largest=True, sorted=False)
        indices = indices + start
        if best_scores is None:
            best_scores, best_indices = values, indices
        else:
            merged_scores = torch.cat([best_scores, values], dim=1)
            merged_indices = torch.cat([best_indices, indices], dim=1)
            best_scores, order = torch.topk(merged_scores, top_k, dim=1, largest=True, sorted=True)
            best_indices = torch.gather(merged_indices, 1, order)
    return time.perf_counter() - started, time.process_time() - cpu_started


# Debian's build says BLAS_INFO=generic: its sgemm is whatever libblas.so.3 points to, chosen with
# update-alternatives (libopenblas0-pthread for OpenBLAS; libmkl-rt, from Debian's non-free
# component, for MKL, which pip's wheels use). Printed from the libraries actually loaded, so results
# can be read right.
blas_match = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
blas = blas_match.group(1) if blas_match else "unknown"
search(10)  # warm up the thread pool and allocator (and load the BLAS)
with open("/proc/self/maps", encoding="utf-8") as maps:
    loaded = {line.split()[-1].rsplit("/", 1)[-1] for line in maps if ".so" in line}
for library, name in (("libmkl_core", "MKL"), ("libopenblas", "OpenBLAS"), ("libblas.so", "reference BLAS")):
    if any(entry.startswith(library) for entry in loaded):
        blas = f"{blas} -> {name}"
        break
# Runs per top k (the fastest is reported, all are listed): EMBEDEVAL_BENCH_REPEATS, as for embedeval.
repeats = int(os.environ.get("EMBEDEVAL_BENCH_REPEATS", "5"))
for top_k in (100, 1000):
    runs = [search(top_k) for _ in range(repeats)]
    seconds, cpu_seconds = min(runs)
    print(
        json.dumps(
            {
                "implementation": f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads)",
                "topK": top_k,
                "seconds": round(seconds, 3),
                "allSeconds": [round(run[0], 3) for run in runs],
                "cpuSeconds": round(cpu_seconds, 3),
                "loadAverage": os.getloadavg()[0],
                "blas": blas,
                "gflops": round(2 * query_count * document_count * dimension / seconds / 1e9, 1),
                "peakRssMegabytes": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )
