"""Crash safety of `rag ingest`: SIGKILL it at random moments, N times, and count whole indexes.

Each run ingests a corpus (the one of tests/rag/test_atomicity.py, 'hash' embedder) into a fresh
index with `python -m rag.cli ingest`, kills it after a random delay between 0 and the length of
a full ingest, and checks the index left behind: it opens, SQLite and FAISS agree, every
document is exactly its file, a question about one of them is answered citing it; its parser
processes are gone; and a second, uninterrupted ingest completes it. Prints N/RUNS whole.

    .venv/bin/python bench/kill_ingest.py [--runs 30] [--docs 300]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "rag"), str(ROOT / "tests" / "service")]

from conftest import assert_citations_valid, assert_consistent  # noqa: E402
from rss import children  # noqa: E402
from test_atomicity import write_corpus  # noqa: E402

from rag.engine import Engine  # noqa: E402
from rag.settings import Settings  # noqa: E402


def ingest(index_dir: Path, folder: Path) -> subprocess.Popen:
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_EMBEDDING_MODEL": "hash"}
    return subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", str(folder), "--json"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def whole(index_dir: Path, texts: dict[str, str]) -> str | None:
    """None when the index is whole and queryable, else what is wrong."""
    engine = Engine(Settings(index_dir=index_dir, embedding_model="hash"))
    try:
        docs = engine.documents()
        assert_consistent(engine)
        for doc in docs:
            assert engine.index.text(doc.doc_id) == texts[doc.source], doc.source
        if docs:
            sample = docs[len(docs) // 2]
            answer = engine.ask(f"What is Q{int(sample.source[-8:-4]):04d}Z?")
            assert answer.found and any(c.doc_id == sample.doc_id for c in answer.citations), answer
            assert_citations_valid(engine, answer)
        return None
    except Exception as exc:  # noqa: BLE001 — a broken index is the finding, reported per run
        return f"{exc.__class__.__name__}: {exc}"
    finally:
        engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    chance = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        texts = write_corpus(folder, args.docs, seed=1)
        started = time.monotonic()
        assert ingest(Path(tmp) / "clean", folder).wait() == 0
        full = time.monotonic() - started
        print(f"a full ingest of {args.docs} documents: {full:.1f} s; killing at random moments in [0, {full:.1f}] s")
        good = 0
        for run in range(args.runs):
            index_dir = Path(tmp) / f"index{run}"
            delay = chance.uniform(0, full)
            process = ingest(index_dir, folder)
            parsers: set[int] = set()
            deadline = time.monotonic() + delay
            while time.monotonic() < deadline and process.poll() is None:
                parsers |= children(process.pid)
                time.sleep(0.01)
            finished = process.poll() is not None
            process.send_signal(signal.SIGKILL)
            process.wait()
            time.sleep(0.5)
            orphans = [pid for pid in parsers if Path(f"/proc/{pid}").exists()
                       and "rag.parsing" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")]
            problem = whole(index_dir, texts) if index_dir.exists() else None
            documents = 0
            if problem is None:
                completion = ingest(index_dir, folder)
                problem = None if completion.wait() == 0 else completion.stderr.read()
                engine = Engine(Settings(index_dir=index_dir, embedding_model="hash"))
                documents = len(engine.documents())
                engine.close()
                problem = problem or (None if documents == args.docs else f"{documents} documents after completing")
            if orphans:
                problem = f"parser processes left running: {orphans}"
            good += problem is None
            print(f"run {run + 1:2}: killed at {delay:5.2f} s{' (after it finished)' if finished else ''}: "
                  f"{'whole, queryable, completed' if problem is None else problem}", flush=True)
        print(f"{good}/{args.runs} whole, queryable indexes")


if __name__ == "__main__":
    main()
