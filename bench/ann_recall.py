"""Recall@10 of the approximate vector index against exact search, and both searches' times.

The vectors are the real model's (multilingual-e5-small): first XQuAD's sentences themselves, each
embedded whole; then chunks through bench/_sentence_vectors.py (each chunk the normalised sum of its
sentences' vectors) of two corpora: "topical", documents of one XQuAD article each, as real
documents keep to a subject, and "mixed", bench/index_scale.py's, each document of sentences of all
48 articles: a worst case for IVF, whose lists group vectors by subject. The questions are
XQuAD's, English and Spanish alternately, embedded as questions by the model. For each size, the IVF index is built by rag/approximate.py as the index
builds it (nlist = sqrt(n)), and also with twice as many lists: the policy lets a collection shrink
to a quarter of its size before retraining, which leaves it with that many, each shorter and so
the least recall per list scanned. Searches run one question at a time on one thread, as served.
Recall is printed twice: the share of flat's top ten ids found, and the share of the ten found as
close to the question as flat's tenth (many chunks are made of the same sentences, so have the same
vector, and which of them is in a top ten is a tie).

    .venv/bin/python bench/ann_recall.py [--chunks 10000 50000 132000] [--nprobe 8 16 32 64 128] [--questions 300]
        [--corpus topical mixed] [--lists 1 2]
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np

from _common import median, table, timed_ms
from _sentence_vectors import SentenceSumEmbedder, real_model, topical_documents
from index_scale import documents
from rag.approximate import build, lists_for
from rag.chunking import Chunker
from rag.schema import Document
from rag.settings import Settings
from serve_scale import questions

TOP = 10
TIE = 5e-4  # an IVF scores with its 16-bit vectors (rag/approximate.py): a tie may read 1e-4 apart


CORPORA = {"topical": topical_documents, "mixed": documents}


def chunk_vectors(embedder: SentenceSumEmbedder, corpus: str, target: int) -> np.ndarray:
    settings = Settings()
    chunker = Chunker(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
    texts = [chunk.text for parsed in CORPORA[corpus](target, settings.chunk_size - settings.chunk_overlap)
             for chunk in chunker.split(Document(parsed.source, parsed.text, parsed.kind))]
    return embedder.embed(texts)


def p50_p95(values: list[float]) -> str:
    return f"{median(values):.2f} / {sorted(values)[int(0.95 * len(values))]:.2f} ms"


def figures(label: str, vectors: np.ndarray, queries: np.ndarray, probes: list[int],
            factors: list[int]) -> list[tuple[str, str]]:
    count = len(vectors)
    ids = np.arange(count, dtype=np.int64) * 3 + 1  # SQLite rowids: increasing, with gaps
    exact = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
    exact.add_with_ids(vectors, ids)
    floor, truth = exact.search(queries, TOP)
    flat_ms = [timed_ms(lambda q=q: exact.search(q[None], TOP), 1)[0] for q in queries]
    rows = [(f"{label}: {count:,} vectors, flat", p50_p95(flat_ms))]
    for nlist in (factor * lists_for(count) for factor in factors):
        started = time.perf_counter()
        ivf, _ = build(ids, vectors, nlist, 1)
        rows.append((f"  IVF{nlist}: trained and filled", f"{time.perf_counter() - started:.1f} s"))
        for nprobe in probes:
            ivf.nprobe = nprobe
            scores, found = ivf.search(queries, TOP)
            recall = np.mean([len(set(f) & set(t)) / TOP for f, t in zip(found, truth)])
            # Chunks made of the same sentences have the same vector: which of them makes the top ten
            # is a tie, broken differently by the two indexes. Counted as found when as close as the tenth.
            tied = np.mean((scores >= floor[:, TOP - 1:] - TIE).sum(axis=1) / TOP)
            ivf_ms = [timed_ms(lambda q=q: ivf.search(q[None], TOP), 1)[0] for q in queries]
            rows.append((f"    nprobe {nprobe}", f"recall@10 {recall:.3f} (ties found: {tied:.3f}), "
                                                  f"search {p50_p95(ivf_ms)}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, nargs="+", default=[10_000, 50_000, 132_000])
    parser.add_argument("--nprobe", type=int, nargs="+", default=[8, 16, 32, 64, 128])
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--lists", type=int, nargs="+", default=[1, 2], help="nlist as multiples of sqrt(n)")
    parser.add_argument("--corpus", nargs="+", choices=sorted(CORPORA), default=["topical", "mixed"])
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    model = real_model()
    embedder = SentenceSumEmbedder(model)
    queries = model.embed(questions(args.questions), kind="query")
    whole = figures("XQuAD sentences, embedded whole", embedder.vectors, queries, args.nprobe, args.lists)
    print(table(whole), flush=True)
    for corpus in args.corpus:
        for target in args.chunks:
            print(table(figures(f"{corpus} chunks", chunk_vectors(embedder, corpus, target), queries, args.nprobe,
                                args.lists)), flush=True)


if __name__ == "__main__":
    main()
