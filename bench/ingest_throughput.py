"""Ingest throughput in chunks per second, as a ratio to bare model.encode of the same chunks.

Indexes the seeds plus XQuAD's English paragraphs into a fresh temporary index (model loaded
beforehand, so only ingest work is timed), then encodes the very same chunk texts with the
bare model in the same run. Goal: ratio at least 0.8x.

    .venv/bin/python bench/ingest_throughput.py [--paragraphs 240]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import corpus, table
from rag.engine import Engine
from rag.settings import BUNDLED_MODEL, Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", type=int, default=240, help="XQuAD paragraphs added to the seeds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = corpus(Path(tmp) / "docs", paragraphs=args.paragraphs)
        engine = Engine(Settings(index_dir=Path(tmp) / "index", embedding_model=BUNDLED_MODEL))
        engine.warm_up()
        start = time.perf_counter()
        report = engine.ingest_paths([folder])
        ingest_s = time.perf_counter() - start
        texts = [row[0] for row in engine.index.store.db.execute("SELECT text FROM chunks ORDER BY id")]
        model = engine.index.embedder.model
        start = time.perf_counter()
        model.embed(texts, batch_size=32)
        encode_s = time.perf_counter() - start
    chunks = len(texts)
    ingest_rate, encode_rate = chunks / ingest_s, chunks / encode_s
    print(table([
        ("documents, chunks", f"{len(report.added)}, {chunks}"),
        ("bare model.encode", f"{encode_rate:.1f} chunks/s ({encode_s:.2f} s)"),
        ("rag ingest", f"{ingest_rate:.1f} chunks/s ({ingest_s:.2f} s)"),
        ("ratio ingest / encode", f"{ingest_rate / encode_rate:.2f}x  (goal >= 0.8x)"),
    ]))


if __name__ == "__main__":
    main()
