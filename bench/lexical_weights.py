"""The lexical fields' weights on XQuAD, for the lexical retriever alone (no model): recall@1 of
the gold paragraph over a grid of (prefix weight, word weight), the stem field at 1.

Each setting (questions over paragraphs) indexes the corpus's 240 paragraphs with the hash
embedder (the dense side plays no part) and analyses every question once, as `/ask` does
(translated by Apertium into the paragraphs' language across languages); the grid then only
searches. Choose on the tuning articles 0-23, read the held-out 24-47 for the choice.

    .venv/bin/python bench/lexical_weights.py [--settings es/en en/es] [--prefix 0.2 0.35 0.5] [--word 1 1.5 2]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import XQUAD, table
from rag.engine import Engine
from rag.retrieval import PREFIX_WEIGHT, WORD_WEIGHT, HybridRetriever
from rag.settings import Settings
from rag.xquad import HELD_OUT, RECALL_DEPTH, TUNING, load_corpus, load_questions


def sweep(setting: str, prefixes: list[float], words: list[float]) -> list[tuple[str, str]]:
    asked, over = setting.split("/")
    corpus = load_corpus(XQUAD.with_name(f"xquad.{over}.json"))
    questions = load_questions(XQUAD.with_name(f"xquad.{asked}.json"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "paragraphs"
        folder.mkdir()
        for source, text in corpus.items():
            (folder / source).write_text(text, "utf-8")
        settings = Settings(index_dir=Path(tmp) / "index", embedding_model="hash")
        engine = Engine(settings)
        engine.ingest_paths([folder])
        analysed = [(q, engine.analyzer.analyze(q.question)) for q in questions]
        for prefix in prefixes:
            for word in words:
                retriever = HybridRetriever(index=engine.index, candidates=settings.candidates,
                                            model_languages=settings.model_languages(),
                                            lexical_weights=(1.0, prefix, word))
                first = [(q, retriever.retrieve(query, RECALL_DEPTH, "lexical")[:1]) for q, query in analysed]
                rate = {name: sum(bool(h) and h[0].source == q.paragraph for q, h in first if q.article in split)
                        / sum(q.article in split for q in questions) for name, split in
                        (("tuning", TUNING), ("held-out", HELD_OUT))}
                chosen = " (now)" if (prefix, word) == (PREFIX_WEIGHT, WORD_WEIGHT) else ""
                rows.append((f"{setting} prefix {prefix} word {word}{chosen}",
                             f"lexical R@1 tuning {rate['tuning']:.4f}, held-out {rate['held-out']:.4f}"))
        engine.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings", nargs="+", default=["es/en", "en/es"])
    parser.add_argument("--prefix", type=float, nargs="+", default=[0.2, PREFIX_WEIGHT, 0.5, 0.75])
    parser.add_argument("--word", type=float, nargs="+", default=[1.0, WORD_WEIGHT, 2.0, 3.0])
    args = parser.parse_args()
    for setting in args.settings:
        print(table(sweep(setting, args.prefix, args.word)), flush=True)


if __name__ == "__main__":
    main()
