"""Ingest throughput in chunks per second, as a ratio to bare encoding of the same chunks.

Indexes the seeds plus XQuAD's English paragraphs into a fresh temporary index (model loaded
beforehand, so only ingest work is timed), then encodes the very same chunk texts with the bare
model, and with the baseline model (the bundled all-MiniLM-L6-v2), in the same run. Goal: ingest
at least 0.8x the bare encoding of its own model; the baseline ratio says what a model costs.

    .venv/bin/python bench/ingest_throughput.py [--paragraphs 240] [--model multilingual-e5-small]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import corpus, table
from rag.embedding import load_embedder
from rag.engine import Engine
from rag.settings import BUNDLED_MODEL, Settings


def encode_seconds(embedder, texts: list[str]) -> float:
    start = time.perf_counter()
    embedder.embed(texts, batch_size=32)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", type=int, default=240, help="XQuAD paragraphs added to the seeds")
    parser.add_argument("--model", default=None, help="RAG_EMBEDDING_MODEL (default: the settings' default)")
    parser.add_argument("--baseline", default=BUNDLED_MODEL, help="the model to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = corpus(Path(tmp) / "docs", paragraphs=args.paragraphs)
        settings = Settings().model_copy(update={"index_dir": Path(tmp) / "index"}
                                         | ({"embedding_model": args.model} if args.model else {}))
        engine = Engine(settings)
        engine.warm_up()
        start = time.perf_counter()
        report = engine.ingest_paths([folder])
        ingest_s = time.perf_counter() - start
        texts = [row[0] for row in engine.index.store.db.execute("SELECT text FROM chunks ORDER BY id")]
        encode_s = encode_seconds(engine.index.embedder.model, texts)
        engine.close()
    baseline = load_embedder(args.baseline)
    baseline.embed(["warm up"])
    baseline_s = encode_seconds(baseline, texts)
    chunks = len(texts)
    ingest_rate, encode_rate, baseline_rate = chunks / ingest_s, chunks / encode_s, chunks / baseline_s
    print(table([
        ("model", settings.embedding_model),
        ("documents, chunks", f"{len(report.added)}, {chunks}"),
        ("bare encode, this model", f"{encode_rate:.1f} chunks/s ({encode_s:.2f} s)"),
        (f"bare encode, {args.baseline}", f"{baseline_rate:.1f} chunks/s ({baseline_s:.2f} s)"),
        ("rag ingest", f"{ingest_rate:.1f} chunks/s ({ingest_s:.2f} s)"),
        ("ratio ingest / encode, this model", f"{ingest_rate / encode_rate:.2f}x  (goal >= 0.8x)"),
        (f"ratio ingest / encode, {args.baseline}", f"{ingest_rate / baseline_rate:.2f}x"),
    ]))


if __name__ == "__main__":
    main()
