"""The lexical search's cost as the index grows: the project's Tantivy index against FTS5 as it
was before it (issue 15, item 2).

For each size, a corpus of chunks of shuffled XQuAD sentences (English and Spanish, one language
per chunk, about the chunker's size), without vectors (the rest of the index plays no part in
this search), written into the project's lexical index (rag/lexical.py, from each chunk's text,
one collection per language) and, as the code before it did, into an FTS5 table of the same three
columns (stems, 5-letter prefixes, words) analysed by the same analyser. Then, for 100 XQuAD
questions (50 English, 50 Spanish) analysed as `/ask` does, the candidates' search (40 rows):

- FTS5 as it was: every term of the question (the bound on its terms that came later cost quality:
  docs/scaling.md);
- Tantivy: `LexicalIndex.search`, as the retriever calls it;
- Tantivy filtered by language (the question's own, as a translated question searches each
  language's passages) and by collection (the same passages named by collection).

It prints p50/p95 per variant, the sizes on disk, and a quality check at that size: how often the
top row holds the question's gold sentence (the one holding its answer), and how many of the FTS5
search's 10 best are among the variant's 40.

    .venv/bin/python bench/lexical_scale.py [--chunks 132000 1000000] [--keep DIR]

With --keep, the corpora are kept there and reused by the next run (1M chunks take minutes).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import XQUAD, table
from rag.analysis import index_terms
from rag.glossary import Glossary
from rag.lexical import LexicalIndex, LexicalRow
from rag.lexical_terms import LexicalTerms
from rag.query import QueryAnalyzer
from rag.retrieval import LEXICAL_WEIGHTS
from rag.settings import Settings

LANGUAGES = ("en", "es")
QUESTIONS = 50  # per language
SENTENCE = re.compile(r"(?<=[.!?])\s+")


class Pool:
    """One language's XQuAD sentences, analysed once, and its questions with their gold sentence."""

    def __init__(self, language: str) -> None:
        data = json.loads(XQUAD.with_name(f"xquad.{language}.json").read_text("utf-8"))["data"]
        self.sentences: list[str] = []
        self.questions: list[tuple[str, int]] = []
        for paragraph in (p for article in data for p in article["paragraphs"]):
            starts, at = {}, 0
            for sentence in SENTENCE.split(paragraph["context"]):
                at = paragraph["context"].index(sentence, at)
                if len(sentence) > 20:
                    starts[at, at + len(sentence)] = len(self.sentences)
                    self.sentences.append(sentence)
            for qa in paragraph["qas"]:
                answer = qa["answers"][0]["answer_start"]
                gold = [n for (start, end), n in starts.items() if start <= answer < end]
                if gold:
                    self.questions.append((qa["question"], gold[0]))
        self.columns = [tuple(" ".join(terms) for terms in index_terms(s, language)) for s in self.sentences]


def chunks(target: int, size: int, pools: list[Pool]):
    """(pool number, sentence numbers) of `target` chunks, each about `size` characters."""
    chance = random.Random(15)
    for n in range(target):
        pool, length, picked = n % len(pools), 0, []
        while length < size:
            picked.append(chance.randrange(len(pools[pool].sentences)))
            length += len(pools[pool].sentences[picked[-1]]) + 1
        yield pool, picked


def build(folder: Path, target: int, size: int, pools: list[Pool]) -> tuple[sqlite3.Connection, LexicalIndex, list]:
    """The FTS5 table and the lexical index of `target` chunks, made or found in `folder`; and each
    chunk's (pool, sentences), by row from 1."""
    folder.mkdir(parents=True, exist_ok=True)
    made = list(chunks(target, size, pools))
    fresh = not (folder / "fts5.sqlite").exists()
    db = sqlite3.connect(folder / "fts5.sqlite")
    lexical = LexicalIndex(folder, lambda: 1, lambda: LANGUAGES)  # the generation of the one commit below
    if fresh:
        started = time.perf_counter()
        with db:
            db.execute("CREATE VIRTUAL TABLE chunk_terms USING fts5(stem, pref, word, tokenize='unicode61')")
            db.executemany("INSERT INTO chunk_terms (rowid, stem, pref, word) VALUES (?, ?, ?, ?)",
                           ((row, *_joined(pools[pool], picked)) for row, (pool, picked) in enumerate(made, 1)))
        print(f"  FTS5 table of {target:,} chunks written in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        with lexical.writing():
            lexical.commit(1, [], (LexicalRow(row, " ".join(_sentences(pools, chunk)), LANGUAGES[chunk[0]],
                                              LANGUAGES[chunk[0]]) for row, chunk in enumerate(made, 1)))
        print(f"  Tantivy index written in {time.perf_counter() - started:.0f} s", flush=True)
    return db, lexical, made


def _joined(pool: Pool, picked: list[int]) -> tuple[str, str, str]:
    return tuple(" ".join(pool.columns[s][c] for s in picked) for c in range(3))


def fts5_search(db: sqlite3.Connection, terms: LexicalTerms, limit: int) -> list[tuple[int, float]]:
    """The search of the code before Tantivy: an OR of every term, each in its column."""
    expression = " OR ".join(f"{column} : (" + " OR ".join('"' + t.replace('"', '""') + '"' for t in sorted(held))
                             + ")" for column, held in terms.columns().items() if held)
    return db.execute("SELECT rowid, -bm25(chunk_terms, ?, ?, ?) AS s FROM chunk_terms WHERE chunk_terms MATCH ? "
                      "ORDER BY s DESC LIMIT ?", (*LEXICAL_WEIGHTS, expression, limit)).fetchall()


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn()
    return (time.perf_counter() - started) * 1000, out


def measure(target: int, folder: Path) -> list[tuple[str, str]]:
    settings = Settings()
    pools = [Pool(language) for language in LANGUAGES]
    db, lexical, made = build(folder, target, settings.chunk_size, pools)
    analyzer = QueryAnalyzer(detector=None, glossary=Glossary.load(settings.glossary_path))
    spread = [pool.questions[:: max(1, len(pool.questions) // QUESTIONS)][:QUESTIONS] for pool in pools]
    questions = [(analyzer.analyze(text, language).lexical_terms(), pool, gold)
                 for pool, language in enumerate(LANGUAGES) for text, gold in spread[pool]]
    limit = settings.candidates

    def tantivy(*filters: str):
        return lambda terms, pool: lexical.search(terms, limit, LEXICAL_WEIGHTS,
                                                  **{name: {LANGUAGES[pool]} for name in filters})

    variants = {"FTS5, every term (before)": lambda terms, pool: fts5_search(db, terms, limit),
                "Tantivy": tantivy(),
                "Tantivy, the question's language": tantivy("languages"),
                "Tantivy, its language and collection": tantivy("languages", "collections")}
    times: dict[str, list[float]] = {name: [] for name in variants}
    found: dict[str, list] = {name: [] for name in variants}
    for _ in range(2):  # rounds alternate the variants: the machine's load falls on all alike
        for name, search in variants.items():
            runs = [timed(lambda t=t, p=p: search(t, p)) for t, p, _ in questions]
            times[name] += [ms for ms, _ in runs]
            found[name] = [out for _, out in runs]
    rows = [("chunks", f"{target:,}"), ("FTS5 (its SQLite file)", f"{_size(folder, 'fts5.sqlite*') / 1e6:,.0f} MB"),
            ("Tantivy", f"{_size(lexical.path, '*') / 1e6:,.0f} MB")]
    full = [[r for r, _ in hits[:10]] for hits in found["FTS5, every term (before)"]]
    for name in variants:
        hits = found[name]
        gold = sum(bool(h) and pools[pool].sentences[g] in _sentences(pools, made[h[0][0] - 1])
                   for h, (_, pool, g) in zip(hits, questions)) / len(questions)
        kept = np.mean([len(set(f) & {r for r, _ in h}) / max(1, len(f)) for f, h in zip(full, hits)])
        rows.append((name, f"p50 {_pct(times[name], 50):.1f} ms, p95 {_pct(times[name], 95):.1f} ms; "
                           f"gold in top row {gold:.3f}; FTS5's top-10 in its 40: {kept:.3f}"))
    db.close()
    return rows


def _sentences(pools: list[Pool], chunk: tuple[int, list[int]]) -> list[str]:
    pool, picked = chunk
    return [pools[pool].sentences[s] for s in picked]


def _pct(values: list[float], q: int) -> float:
    return float(np.percentile(values, q))


def _size(folder: Path, pattern: str) -> int:
    return sum(p.stat().st_size for p in folder.glob(pattern) if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, nargs="+", default=[132_000, 1_000_000])
    parser.add_argument("--keep", type=Path, help="a folder to keep the corpora in, and reuse them from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for target in args.chunks:
            folder = (args.keep or Path(tmp)) / f"lexical-{target}"
            print(f"\n## {target:,} chunks", flush=True)
            print(table(measure(target, folder)), flush=True)


if __name__ == "__main__":
    main()
