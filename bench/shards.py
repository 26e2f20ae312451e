"""Shards measured inside one process (issue 15, item 6; docs/scaling.md, "Serving past one
machine"): one flat index against the same vectors split by document into 2 and 4 shards, searched

- by faiss.IndexShards, its shards one after another (threaded=False) or each on a thread of its
  own (threaded=True);
- by this code base's fan-out over collections (rag.vectors.FaissVectors: one flat index per
  collection, searched in turn, merged by score then row): a split by collection;
- by the same fan-out with the shards searched at once on a thread pool: what a coordinator asking
  shard processes in parallel does, without the network;
- for a key that reads one collection of the split: one shard searched.

Vectors: bench/index_scale.py's documents of XQuAD sentences (English and Spanish), cut by the
project's chunker and embedded by the hash embedder at 384 dimensions, the real models' size;
queries: XQuAD questions embedded the same way. A flat search costs the same whatever the vectors
hold; they matter for the check that each split's top-10 equals the single index's, ids and scores.

Prints per method the search p50/p95 (one question at a time, RAG_CANDIDATES results, the methods
interleaved so that the shared machine's noise falls on all alike) and its ratio to the flat index
in the same run; the questions per second of two callers at once (two service threads); and a
batch of questions through faiss.IndexReplicas against the flat index alone.

    .venv/bin/python bench/shards.py [--chunks 132000] [--shards 2 4] [--quick]
"""

from __future__ import annotations

import os

# One OpenMP thread in every thread, set before FAISS loads: omp_set_num_threads (rag/vectors.py)
# sets only the calling thread's, and IndexShards' own threads would each start two.
os.environ["OMP_NUM_THREADS"] = "1"

import argparse
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import faiss
import numpy as np

from _common import table
from index_scale import DIMENSION, documents, xquad
from rag.chunking import Chunker
from rag.embedding import HashEmbedder
from rag.schema import Document
from rag.settings import Settings
from rag.vectors import FaissVectors

TOP = 10  # what is checked against the single index
BATCH = 32  # questions per call for IndexReplicas
CALLERS = 2  # threads asking at once for the questions per second: two of the service's worker threads
ROUNDING = 1e-5  # far above float32 rounding of a 384-term sum of normalised vectors, far below a real gap

Hits = list[tuple[int, float]]
Search = Callable[[np.ndarray], Hits]


def corpus(chunks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every chunk's row (from 1, as SQLite's), its document's number, and its vector."""
    settings = Settings()
    chunker = Chunker(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
    texts, owners = [], []
    for n, parsed in enumerate(documents(chunks, settings.chunk_size - settings.chunk_overlap)):
        pieces = chunker.split(Document(parsed.source, parsed.text, parsed.kind))
        texts += [piece.text for piece in pieces]
        owners += [n] * len(pieces)
    vectors = HashEmbedder(dimension=DIMENSION).embed(texts)
    return np.arange(1, len(texts) + 1, dtype=np.int64), np.asarray(owners), vectors


def flat(ids: np.ndarray, vectors: np.ndarray) -> faiss.IndexIDMap2:
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(DIMENSION))  # as rag/vectors.py makes them
    index.add_with_ids(vectors, ids)
    return index


def hits(scores: np.ndarray, ids: np.ndarray) -> Hits:
    return [(int(i), float(s)) for i, s in zip(ids, scores) if i >= 0]


def merged(found: list[Hits], limit: int) -> Hits:
    return sorted((hit for part in found for hit in part), key=lambda hit: (-hit[1], hit[0]))[:limit]


def of(index: faiss.Index, limit: int) -> Search:
    return lambda q: hits(*(a[0] for a in index.search(q, limit)))


def on_thread(search: Search, openmp: int) -> Search:
    """`search` run on threads of their own whose OpenMP uses `openmp` threads, as FastAPI runs /ask
    on a worker thread (OpenMP's default there: one thread per core, whatever the main thread set)."""
    worker = ThreadPoolExecutor(CALLERS, initializer=faiss.omp_set_num_threads, initargs=(openmp,))
    return lambda q: worker.submit(search, q).result()


def methods(parts: list[faiss.IndexIDMap2], pool: ThreadPoolExecutor, limit: int) -> dict[str, Search]:
    n = len(parts)
    split = FaissVectors.of_parts(DIMENSION, {f"c{k}": part for k, part in enumerate(parts)})
    sharded = {}
    for threaded in (False, True):
        shards = faiss.IndexShards(DIMENSION, threaded, False)  # False: the shards' own ids (rows)
        for part in parts:
            shards.add_shard(part)
        sharded[threaded] = shards

    def parallel(q: np.ndarray) -> Hits:
        return merged(list(pool.map(lambda part: of(part, limit)(q), parts)), limit)

    return {
        f"{n} shards: IndexShards, threaded=False": of(sharded[False], limit),
        f"{n} shards: IndexShards, threaded=True": of(sharded[True], limit),
        f"{n} shards: fan-out over collections (FaissVectors)": lambda q: split.search(q, limit),
        f"{n} shards: fan-out on a thread pool": parallel,
        f"{n} shards: a key reading one collection": lambda q: split.search(q, limit, ["c0"]),
    }


def same(got: Hits, expected: Hits) -> str:
    """'exact' when the top-10 are the same rows with the same scores, in the same order; 'rounding'
    when the scores differ by float rounding only (another summation order), and the rows only
    where scores that close could swap them; else 'different'."""
    got, expected = merged([got], TOP), merged([expected], TOP)
    if got == expected:
        return "exact"
    close = len(got) == len(expected) and all(abs(a[1] - b[1]) <= ROUNDING for a, b in zip(got, expected))
    boundary = expected[-1][1] + ROUNDING
    clear = [{row for row, score in found if score > boundary} for found in (got, expected)]
    return "rounding" if close and clear[0] == clear[1] else "different"


def percentiles(values: list[float]) -> tuple[float, float]:
    p50, p95 = np.percentile(values, [50, 95])
    return float(p50), float(p95)


def per_second(search: Search, queries: np.ndarray, seconds: float, callers: int = CALLERS) -> float:
    """Questions answered per second by `callers` threads asking in turn for `seconds`."""
    done = [0] * callers
    stop = time.perf_counter() + seconds

    def ask(n: int) -> None:
        k = n
        while time.perf_counter() < stop:
            search(queries[k % len(queries)][None, :])
            done[n] += 1
            k += callers

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def replicas(whole: faiss.Index, queries: np.ndarray, rounds: int) -> list[tuple[str, str]]:
    """A batch of questions through the flat index alone, then through IndexReplicas over two
    copies of it (IndexReplicas refuses the same index twice)."""
    copy = faiss.clone_index(whole)
    both = faiss.IndexReplicas(DIMENSION, True)
    both.add_replica(whole)
    both.add_replica(copy)
    batch = queries[:BATCH]
    assert (both.search(batch, TOP)[1] == whole.search(batch, TOP)[1]).all()
    times = {"flat": [], "replicas": []}
    for _ in range(rounds):
        for name, index in (("flat", whole), ("replicas", both)):
            start = time.perf_counter()
            index.search(batch, TOP)
            times[name].append((time.perf_counter() - start) * 1000)
    alone, replicated = np.median(times["flat"]), np.median(times["replicas"])
    return [(f"batch of {len(batch)} questions, flat index", f"{alone:.1f} ms"),
            ("  IndexReplicas (2, threaded)", f"{replicated:.1f} ms ({replicated / alone:.2f}x)")]


def measure(chunks: int, counts: list[int], questions: int, rounds: int, seconds: float) -> list[tuple[str, str]]:
    limit = Settings().candidates
    started = time.perf_counter()
    ids, owners, vectors = corpus(chunks)
    texts = [q for language in ("en", "es") for q in xquad(language)[1][:questions // 2]]
    queries = HashEmbedder(dimension=DIMENSION).embed(texts)
    whole = flat(ids, vectors)
    built = time.perf_counter() - started
    pool = ThreadPoolExecutor(max(counts))
    searches: dict[str, Search] = {"flat (one index)": of(whole, limit)}  # the baseline
    searches |= {f"flat, on a worker thread, OpenMP {n}": on_thread(of(whole, limit), n)
                 for n in (1, os.cpu_count() or 1)}
    kept = []  # the shards' indexes, alive as long as the IndexShards that point at them
    for n in counts:
        # Documents dealt to the shards in turn: as evenly as a hash would spread them.
        parts = [flat(ids[owners % n == k], vectors[owners % n == k]) for k in range(n)]
        kept.append(parts)
        searches |= methods(parts, pool, limit)
    times: dict[str, list[float]] = {name: [] for name in searches}
    checks: dict[str, list[str]] = {name: [] for name in searches}
    names = list(searches)
    for r in range(rounds):
        for k, query in enumerate(queries):
            query = query[None, :]
            expected = searches[names[0]](query)
            for name in names[k % len(names):] + names[:k % len(names)]:  # each method first in turn
                start = time.perf_counter()
                found = searches[name](query)
                times[name].append((time.perf_counter() - start) * 1000)
                if r == 0:
                    checks[name].append(same(found, expected))
    base = np.median(times[names[0]])
    rows = [("chunks, questions", f"{len(ids):,}, {len(queries)} (vectors and indexes built in {built:.0f} s)"),
            ("method", "p50 / p95 ms, p50 vs flat; 2 callers at once; top-10 vs flat")]
    for name in names:
        p50, p95 = percentiles(times[name])
        rate = per_second(searches[name], queries, seconds)
        verdicts = checks[name]
        check = ("n/a (one collection)" if name.endswith("one collection") else
                 f"{verdicts.count('exact')}/{len(verdicts)} exact"
                 + (f", {verdicts.count('rounding')} within float rounding" if "rounding" in verdicts else "")
                 + (f", {verdicts.count('different')} DIFFERENT" if "different" in verdicts else ""))
        rows.append((f"  {name}", f"{p50:.2f} / {p95:.2f} ms, {p50 / base:.2f}x; {rate:,.0f} q/s; {check}"))
    pool.shutdown()
    return rows + replicas(whole, queries, rounds * 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, nargs="+", default=[132_000])
    parser.add_argument("--shards", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--questions", type=int, default=200, help="XQuAD questions, half English, half Spanish")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="13k chunks, 40 questions, one round: a minute")
    args = parser.parse_args()
    if args.quick:
        args.chunks, args.questions, args.rounds = [13_000], 40, 1
    seconds = 1.0 if args.quick else 5.0
    for chunks in args.chunks:
        print(f"\n## about {chunks:,} chunks\n" + table(measure(chunks, args.shards, args.questions, args.rounds,
                                                                 seconds)), flush=True)


if __name__ == "__main__":
    main()
