"""Where a warm question's time goes, stage by stage, at a given index size (issue 15, item 2).

Builds an index of about `--chunks` chunks through the project's own Index with the hash embedder
(the corpus of bench/index_scale.py: shuffled XQuAD sentences), then serves it with the real
query model through Engine.ask, as `/ask` does: after 50 other questions to warm up, 50 XQuAD
questions (English and Spanish) asked once for the wall time, then again under cProfile. Each
stage's time per question is its cumulative time in the profile divided by the questions; the
wall time per question is measured apart, without the profiler. Only the question's vector comes from the real model: the passages'
are the hash embedder's, which costs the same to search.

    .venv/bin/python bench/ask_stages.py [--chunks 132000] [--keep DIR]

The previous code's figures come from the same script with that code first on the path
(`git archive main | tar -x -C /tmp/main-snap`, then `PYTHONPATH=/tmp/main-snap`): it has no
bound on the lexical terms, which it says.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import table
from index_scale import DIMENSION, documents, xquad
from rag.analysis import LanguageDetector
from rag.chunking import Chunker
from rag.embedding import HashEmbedder, model_name
from rag.engine import Engine
from rag.index import Index
from rag.settings import Settings

QUESTIONS = 25  # per language
# (label, file suffix, function name): the stages of Engine.ask, outermost first.
STAGES = [
    ("Engine.ask", "rag/engine.py", "ask"),
    ("  question analysed (language, terms, translations)", "rag/query.py", "analyze"),
    ("  retrieval", "rag/retrieval.py", "retrieve"),
    ("    query embedding (real model)", "rag/embedding.py", "embed"),
    ("    FAISS search", "rag/vectors.py", "search"),
    ("    lexical search (Tantivy)", "rag/lexical.py", "search"),
    ("    candidates' rows read", "rag/store.py", "chunks"),
    ("  answer composed", "rag/answer.py", "compose"),
    ("    IDF of the question's words", "rag/engine.py", "_idf"),
    ("    documents' texts read", "rag/index.py", "text"),
    ("    sentences split", "rag/selection.py", "__init__"),
    ("  glosses added", "rag/gloss.py", "add_glosses"),
    ("  conversation kept", "rag/conversations.py", "add"),
    ("  conversation started", "rag/conversations.py", "start"),
]


def build(folder: Path, target: int, settings: Settings) -> None:
    """An index of about `target` chunks, made once: the hash embedder writes the passages'
    vectors, and the index is marked as the real model's, whose vectors have the same size."""
    if (folder / "index.sqlite").exists():
        return
    index = Index(folder, embedder=HashEmbedder(dimension=DIMENSION),
                  chunker=Chunker(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap),
                  detector=LanguageDetector())
    started = time.perf_counter()
    index.ingest(documents(target, settings.chunk_size - settings.chunk_overlap))
    with index.store.write() as db:
        index.store.set_meta(db, "model", model_name(settings.embedding_model))
    print(f"  index of {index.store.count()[1]:,} chunks built in {time.perf_counter() - started:.0f} s", flush=True)
    index.close()


def stages(profile: cProfile.Profile, questions: int) -> list[tuple[str, str]]:
    stats = pstats.Stats(profile).stats
    rows = []
    for label, suffix, name in STAGES:
        seconds = sum(cumulative for (file, _, function), (_, _, _, cumulative, _) in stats.items()
                      if file.endswith(suffix) and function == name)
        rows.append((label, f"{seconds * 1000 / questions:.2f} ms"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=132_000)
    parser.add_argument("--keep", type=Path, help="a folder to keep the index in, and reuse it from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = (args.keep or Path(tmp)) / f"ask-{args.chunks}"
        settings = Settings().model_copy(update={"index_dir": folder})
        build(folder, args.chunks, settings)
        engine = Engine(settings)
        engine.warm_up()
        pools = [xquad(language)[1] for language in ("en", "es")]
        for question in (q for pool in pools for q in pool[-QUESTIONS:]):  # others than those measured
            engine.ask(question)
        asked = [q for pool in pools for q in pool[:QUESTIONS]]
        walls = []
        for question in asked:
            started = time.perf_counter()
            engine.ask(question)
            walls.append((time.perf_counter() - started) * 1000)
        profile = cProfile.Profile()
        profile.enable()
        for question in asked:
            engine.ask(question)
        profile.disable()
        print(f"\n## {engine.index.store.count()[1]:,} chunks, {len(asked)} questions, model "
              f"{settings.embedding_model}")
        print(table([("wall time per question", f"p50 {np.percentile(walls, 50):.1f} ms, "
                                                f"p95 {np.percentile(walls, 95):.1f} ms (no profiler)"),
                     *stages(profile, len(asked))]))
        engine.close()


if __name__ == "__main__":
    main()
