"""How ingest and the non-model work of a question grow with the index (issue 15, items 1 and 2).

For each size, builds a fresh index through the project's own Index with the hash embedder
(384-dimensional, the real models' size; no model, so ingest measures the index alone), from
documents of XQuAD sentences (English and Spanish) shuffled together, then prints:

- ingest wall time, and the bytes the process wrote (/proc/self/io: `wchar` counts every write()
  call, `write_bytes` what reached the disk by the time of the reading);
- the files: the vectors' base and deltas, SQLite, and the lexical index (Tantivy); the bytes of vectors' files written, against
  the vectors written as one file;
- a one-document upload into the index built: its time and bytes written;
- reopening: reading the vectors back from their files in a new process-like Index;
- per question, without the model: the documents' languages (the cached read, and the SQL it
  replaces), the lexical search (Tantivy BM25) for XQuAD questions, and the FAISS flat search (p50
  over the questions).

The code before Tantivy (FTS5 in SQLite) is measured by its own copy of this script:
`git archive <commit> | tar -x -C /tmp/main-snap; PYTHONPATH=/tmp/main-snap .venv/bin/python
/tmp/main-snap/bench/index_scale.py --chunks 132000`.

Before this change, on this text (the previous commit's code, same script): 13.8k chunks 12.6 s and
0.81 GB written; 140k chunks 305 s and 61.5 GB written, for a 217 MB vectors' file. The issue's
figures, on cheaper text: 13k chunks 8.7 s and 0.77 GB; 132k chunks 108.6 s and 54 GB.

    .venv/bin/python bench/index_scale.py [--chunks 13000 132000]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from _common import XQUAD, median, table
from rag import vector_files
from rag.analysis import LanguageDetector
from rag.chunking import Chunker
from rag.embedding import HashEmbedder
from rag.glossary import Glossary
from rag.index import Index
from rag.lexical import FOLDER as LEXICAL_FOLDER
from rag.parsing import Parsed
from rag.query import QueryAnalyzer
from rag.retrieval import LEXICAL_WEIGHTS
from rag.settings import Settings

DIMENSION = 384
SENTENCES_PER_DOCUMENT = 24  # about 3,000 characters: 6 chunks of the default settings


def xquad(language: str) -> tuple[list[str], list[str]]:
    """XQuAD's sentences and questions in one language."""
    data = json.loads(XQUAD.with_name(f"xquad.{language}.json").read_text("utf-8"))["data"]
    paragraphs = [p for article in data for p in article["paragraphs"]]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p["context"]) if len(s) > 20]
    return sentences, [q["question"] for p in paragraphs for q in p["qas"]]


def documents(chunks: int, step: int) -> list[Parsed]:
    """Documents of shuffled sentences of one language each, until they make about `chunks` chunks."""
    chance = random.Random(15)
    pools = [xquad(language)[0] for language in ("en", "es")]
    out, made = [], 0
    while made < chunks:
        pool = pools[len(out) % 2]
        text = " ".join(chance.choice(pool) for _ in range(SENTENCES_PER_DOCUMENT))
        out.append(Parsed(f"doc{len(out):06d}.txt", "txt", text))
        made += max(1, round(len(text) / step))  # about what the chunker will cut
    return out


class VectorWrites:
    """Counts the bytes of every vectors' file written: the writers return their sizes."""

    def __init__(self) -> None:
        self.bytes = 0
        for name in ("write_base", "write_delta"):
            setattr(vector_files, name, self._counted(getattr(vector_files, name)))

    def _counted(self, write):
        def counted(*args):
            size = write(*args)
            self.bytes += size
            return size

        return counted


VECTOR_WRITES = VectorWrites()


def io() -> tuple[int, int]:
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(fields["wchar"]), int(fields["write_bytes"])


def sizes(folder: Path, pattern: str) -> int:
    return sum(p.stat().st_size for p in folder.glob(pattern))


def ms(fn, repeats: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) * 1000 / repeats


def measure(target: int, folder: Path) -> list[tuple[str, str]]:
    settings = Settings()
    chunker = Chunker(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
    embedder, detector = HashEmbedder(dimension=DIMENSION), LanguageDetector()
    docs = documents(target, settings.chunk_size - settings.chunk_overlap)
    index = Index(folder, embedder=embedder, chunker=chunker, detector=detector)
    wrote, disk = io()
    vector_bytes = VECTOR_WRITES.bytes
    started = time.perf_counter()
    report = index.ingest(docs)
    ingest_s = time.perf_counter() - started
    wrote, disk = io()[0] - wrote, io()[1] - disk
    vector_bytes = VECTOR_WRITES.bytes - vector_bytes
    whole = sum(len(faiss.serialize_index(part)) for part in index.vectors.parts().values())
    base, deltas = sizes(folder, "vectors.*.faiss"), sizes(folder, "delta.*.npz")
    sqlite = sizes(folder, "index.sqlite*")
    lexical_bytes = sizes(folder / LEXICAL_FOLDER, "*")

    before = io()[0]
    started = time.perf_counter()
    index.ingest([Parsed("upload.txt", "txt", " ".join(xquad("en")[0][:24]))])
    upload_ms, upload_bytes = (time.perf_counter() - started) * 1000, io()[0] - before

    reopened = Index(folder, embedder=embedder, chunker=chunker, detector=detector)
    load_ms = ms(lambda: reopened.vectors)
    store = reopened.store
    analyzer = QueryAnalyzer(detector=detector, glossary=Glossary.load(settings.glossary_path))
    questions = [analyzer.analyze(q) for q in xquad("en")[1][:100]]
    chance = np.random.default_rng(15)
    vectors = chance.standard_normal((len(questions), DIMENSION)).astype(np.float32)
    sql = "SELECT DISTINCT language FROM documents {} WHERE 1"
    lexical = [ms(lambda q=q: reopened.lexical.search(q.lexical_terms(), settings.candidates, LEXICAL_WEIGHTS))
               for q in questions if q.lexical_terms()]
    dense = [ms(lambda v=v: reopened.vectors.search(v, settings.candidates)) for v in vectors]
    chunks = store.count()[1]
    reopened.close()
    index.close()
    return [
        ("chunks, documents", f"{chunks:,}, {len(report.added):,}"),
        ("ingest wall time (hash embedder)", f"{ingest_s:.1f} s  ({chunks / ingest_s:,.0f} chunks/s)"),
        ("bytes written by the process", f"{wrote / 1e9:.2f} GB by write() calls, {disk / 1e9:.2f} GB to the disk"),
        ("vectors' files: base + deltas", f"{base / 1e6:.0f} MB + {deltas / 1e6:.0f} MB"),
        ("vectors' files written", f"{vector_bytes / 1e6:.0f} MB, {vector_bytes / whole:.2f}x the vectors "
                                   f"as one file ({whole / 1e6:.0f} MB)"),
        ("SQLite (with its WAL)", f"{sqlite / 1e6:.0f} MB"),
        ("lexical index (Tantivy)", f"{lexical_bytes / 1e6:.0f} MB"),
        ("written / (vectors + SQLite + Tantivy)", f"{wrote / (base + deltas + sqlite + lexical_bytes):.2f}x"),
        ("upload of one document into it", f"{upload_ms:.0f} ms, {upload_bytes / 1e6:.2f} MB written"),
        ("vectors read back on opening", f"{load_ms:.0f} ms"),
        ("languages, per question (cached)", f"{ms(store.languages, 1000) * 1000:.0f} µs"),
        ("  the SQL it replaces", f"{ms(lambda: store.db.execute(sql.format('')).fetchall(), 20):.2f} ms"),
        ("  the same, without documents(language)",
         f"{ms(lambda: store.db.execute(sql.format('NOT INDEXED')).fetchall(), 20):.2f} ms"),
        ("lexical (Tantivy BM25), p50", f"{median(lexical):.1f} ms over {len(lexical)} XQuAD questions"),
        ("FAISS flat search, p50", f"{median(dense):.1f} ms"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, nargs="+", default=[13_000, 132_000])
    args = parser.parse_args()
    for target in args.chunks:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"\n## about {target:,} chunks\n" + table(measure(target, Path(tmp) / "index")), flush=True)


if __name__ == "__main__":
    main()
