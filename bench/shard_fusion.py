"""What a coordinator over shards must merge (issue 15, item 6; docs/scaling.md, "Serving past one
machine"), measured with the project's own Index and HybridRetriever: one index of XQuAD-sentence
documents (bench/index_scale.py's, hash embedder at 384 dimensions), and the same documents dealt
into shards by a hash of (collection, source), each shard an index folder of its own.

For XQuAD questions (half English, half Spanish), against the single index:

- dense: each shard's RAG_CANDIDATES best raw inner products, merged by score: the same top-10?
- lexical: each shard's best raw BM25 scores (Tantivy), merged by score: how many of the single
  index's candidates? (BM25 weighs a term by the shard's own statistics, not the whole index's.)
- fused: each shard's hybrid top-10 (scores scaled over that shard's candidates only), merged by
  fused score: the single index's top-10?

    .venv/bin/python bench/shard_fusion.py [--chunks 13000] [--shards 2 4] [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from _common import table
from index_scale import DIMENSION, documents, xquad
from rag.analysis import LanguageDetector
from rag.chunking import Chunker
from rag.embedding import HashEmbedder
from rag.glossary import Glossary
from rag.index import Index
from rag.parsing import Parsed
from rag.query import QueryAnalyzer
from rag.retrieval import LEXICAL_WEIGHTS, HybridRetriever
from rag.schema import DEFAULT_COLLECTION
from rag.settings import Settings
from shards import merged, same

TOP = 10


def shard_of(source: str, shards: int) -> int:
    """A document's shard: by its collection and source, which a new version of it keeps (its doc_id
    changes with its text, and would send the new version to another shard than the old one's)."""
    return zlib.crc32(f"{DEFAULT_COLLECTION}\x00{source}".encode()) % shards


def built(folder: Path, files: list[Parsed], settings: Settings) -> Index:
    index = Index(folder, embedder=HashEmbedder(dimension=DIMENSION),
                  chunker=Chunker(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap),
                  detector=LanguageDetector())
    index.ingest(files)
    return index


def keyed(index: Index, hits: list[tuple[int, float]]) -> list[tuple[str, float]]:
    """Hits by chunk, named across indexes by (doc_id, start): rows are each SQLite file's own."""
    rows = index.store.chunks(row for row, _ in hits)
    return [(f"{rows[row][0]}:{rows[row][2]}", score) for row, score in hits]


def measure(whole: Index, shards: list[Index], questions: list, settings: Settings) -> list[tuple[str, str]]:
    limit = settings.candidates
    languages = settings.model_languages()
    retrievers = [HybridRetriever(index=i, candidates=limit, model_languages=languages) for i in [whole, *shards]]
    dense_same = lexical_kept = fused_same = fused_first = 0
    fused_overlap = []
    for query in questions:
        vector = whole.embedder.embed([query.dense_text], kind="query")[0]
        expected = keyed(whole, whole.vectors.search(vector, limit))
        got = merged([keyed(s, s.vectors.search(vector, limit)) for s in shards], limit)
        dense_same += same(got, expected) != "different"
        terms = query.lexical_terms()
        expected = {k for k, _ in keyed(whole, whole.lexical.search(terms, limit, LEXICAL_WEIGHTS))}
        got = merged([keyed(s, s.lexical.search(terms, limit, LEXICAL_WEIGHTS)) for s in shards], limit)
        lexical_kept += len(expected & {k for k, _ in got}) / max(1, len(expected))
        single, *parts = [[(f"{h.doc_id}:{h.start}", h.score) for h in r.retrieve(query, TOP)] for r in retrievers]
        naive = merged(parts, TOP)
        fused_same += {k for k, _ in naive} == {k for k, _ in single}
        fused_first += bool(naive and single) and naive[0][0] == single[0][0]
        fused_overlap.append(len({k for k, _ in naive} & {k for k, _ in single}) / max(1, len(single)))
    n = len(questions)
    return [
        ("dense: raw scores merged, the same top-10", f"{dense_same}/{n}"),
        (f"lexical: raw BM25 merged, share of the single index's {limit}", f"{lexical_kept / n:.3f}"),
        ("fused per shard, merged by fused score: same top-10 set", f"{fused_same}/{n}"),
        ("  same first passage", f"{fused_first}/{n}"),
        ("  overlap of the top-10, mean", f"{np.mean(fused_overlap):.3f}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=13_000)
    parser.add_argument("--shards", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--questions", type=int, default=200, help="XQuAD questions, half English, half Spanish")
    parser.add_argument("--quick", action="store_true", help="3k chunks, 40 questions, 2 shards")
    args = parser.parse_args()
    if args.quick:
        args.chunks, args.questions, args.shards = 3_000, 40, [2]
    settings = Settings()
    files = documents(args.chunks, settings.chunk_size - settings.chunk_overlap)
    analyzer = QueryAnalyzer(detector=LanguageDetector(), glossary=Glossary.load(settings.glossary_path))
    questions = [analyzer.analyze(q) for language in ("en", "es") for q in xquad(language)[1][:args.questions // 2]]
    questions = [q for q in questions if q.lexical_terms()]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        whole = built(Path(tmp) / "whole", files, settings)
        print(f"single index: {whole.store.count()[1]:,} chunks, {len(questions)} questions, built in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        for n in args.shards:
            shards = [built(Path(tmp) / f"{n}.{k}", [f for f in files if shard_of(f.source, n) == k], settings)
                      for k in range(n)]
            print(f"\n## {n} shards of {', '.join(f'{s.store.count()[1]:,}' for s in shards)} chunks\n"
                  + table(measure(whole, shards, questions, settings)), flush=True)
            for shard in shards:
                shard.close()
        whole.close()


if __name__ == "__main__":
    main()
