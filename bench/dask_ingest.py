"""Ingest throughput through a Dask LocalCluster of 2 worker processes, as a ratio to a local ingest
of the same files in the same run, and whether both wrote the same index.

Both sides start warm (the local engine's model and parsers loaded, each worker's too), into fresh
temporary indexes. Correctness: the same documents and chunks, and the largest difference between
a chunk's two vectors. On a 2-core machine the cluster need not be faster: its workers share the
cores with each other and the client.

    RAG_EMBEDDING_MODEL=all-MiniLM-L6-v2 .venv/bin/python bench/dask_ingest.py [--paragraphs 240]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from distributed import Client, LocalCluster

from _common import corpus, table
from rag import cluster
from rag.engine import Engine
from rag.settings import Settings
from rag.sources import SourceFile


def ingest(engine: Engine, folder: Path, address: str | None) -> tuple[float, object]:
    start = time.perf_counter()
    report = engine.ingest_paths([folder], cluster=address)
    return time.perf_counter() - start, report


def chunks(engine: Engine) -> dict:
    rows = engine.index.store.db.execute('SELECT doc_id, ordinal, start, "end", text, embedding FROM chunks')
    return {(doc_id, ordinal): (start, end, text, np.frombuffer(vector, np.float32))
            for doc_id, ordinal, start, end, text, vector in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", type=int, default=240, help="XQuAD paragraphs added to the seeds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local_cluster:
        folder = corpus(Path(tmp) / "docs", paragraphs=args.paragraphs)
        engines = [Engine(Settings().model_copy(update={"index_dir": Path(tmp) / name})) for name in ("local", "dask")]
        engines[0].warm_up()
        with Client(local_cluster.scheduler_address, set_as_default=False) as client:
            # Every worker loads its model and starts its parsers on a file of its own before the clock starts.
            client.run(cluster.process, SourceFile("warm.txt", None, b"warm up"), cluster.Job.of(engines[1].settings),
                       "default")
        local_s, local_report = ingest(engines[0], folder, None)
        dask_s, dask_report = ingest(engines[1], folder, local_cluster.scheduler_address)
        local_chunks, dask_chunks = chunks(engines[0]), chunks(engines[1])
        same = local_chunks.keys() == dask_chunks.keys() and all(
            dask_chunks[key][:3] == value[:3] for key, value in local_chunks.items())
        worst = max(float(np.abs(dask_chunks[key][3] - value[3]).max()) for key, value in local_chunks.items())
        for engine in engines:
            engine.close()
    count = local_report.chunks
    print(table([
        ("model", engines[0].settings.embedding_model),
        ("documents, chunks", f"{len(local_report.added)}, {count} (cluster: {len(dask_report.added)}, "
                              f"{dask_report.chunks})"),
        ("local ingest", f"{count / local_s:.1f} chunks/s ({local_s:.2f} s)"),
        ("LocalCluster, 2 workers", f"{dask_report.chunks / dask_s:.1f} chunks/s ({dask_s:.2f} s)"),
        ("ratio cluster / local", f"{local_s / dask_s:.2f}x"),
        ("same documents and chunks", "yes" if same else "NO"),
        ("largest vector difference", f"{worst:.2e}"),
    ]))


if __name__ == "__main__":
    main()
