"""The lexical search's cost as the index grows, by engine and variant (issue 15, item 2).

For each size, a corpus of chunks of shuffled XQuAD sentences (English and Spanish, one language
per chunk, about the chunker's size), analysed by the project's own analyser into the three
columns (stems, 5-letter prefixes, words) and written straight into the index's FTS5 table
without vectors (the rest of the index plays no part in this search), and into a Tantivy index
of the same three fields. Then, for 100 XQuAD questions (50 English, 50 Spanish) analysed as
`/ask` does, the candidates' search (40 rows) with:

- FTS5 as it was: every term of the question;
- FTS5 bounded: the terms read rarest first up to the budget of postings (rag/lexical_terms.py),
  their counts included, as the service keeps them until the next commit (warm); their first
  reading from the index (uncached, once per term and commit) is printed apart;
- Tantivy: the same terms, as a boolean query of term queries boosted by the columns' weights.

It prints p50/p95 per variant, the postings read, the sizes on disk, and a quality check at that
size: how often the top row holds the question's gold sentence (the one holding its answer), and
how many of the unbounded search's 10 best are among the variant's 40.

    .venv/bin/python bench/lexical_scale.py [--chunks 132000 1000000] [--keep DIR]

With --keep, the corpora are kept there and reused by the next run (1M chunks take minutes).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import XQUAD, table
from rag.analysis import index_terms
from rag.glossary import Glossary
from rag.lexical_terms import COLUMNS, LexicalTerms
from rag.query import QueryAnalyzer
from rag.retrieval import PREFIX_WEIGHT, WORD_WEIGHT
from rag.settings import Settings
from rag.store import Store

WEIGHTS = (1.0, PREFIX_WEIGHT, WORD_WEIGHT)
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


def build(folder: Path, target: int, size: int, pools: list[Pool]) -> tuple[Store, "tantivy.Index", list]:
    """The FTS5 table and the Tantivy index of `target` chunks, made or found in `folder`; and each
    chunk's (pool, sentences), by row from 1."""
    import tantivy

    folder.mkdir(parents=True, exist_ok=True)
    made = list(chunks(target, size, pools))
    fresh = not (folder / "index.sqlite").exists()
    store = Store(folder / "index.sqlite")
    schema = tantivy.SchemaBuilder()
    for column in COLUMNS:
        schema.add_text_field(column, tokenizer_name="whitespace", index_option="freq")
    schema.add_integer_field("row", stored=True, fast=True)
    (folder / "tantivy").mkdir(exist_ok=True)
    engine = tantivy.Index(schema.build(), path=str(folder / "tantivy"))
    if fresh:
        started = time.perf_counter()
        with store.write() as db:
            db.executemany("INSERT INTO chunk_terms (rowid, stem, pref, word) VALUES (?, ?, ?, ?)",
                           ((row, *_joined(pools[pool], picked)) for row, (pool, picked) in enumerate(made, 1)))
        print(f"  FTS5 table of {target:,} chunks written in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        writer = engine.writer(heap_size=500_000_000, num_threads=1)
        for row, (pool, picked) in enumerate(made, 1):
            stem, pref, word = _joined(pools[pool], picked)
            writer.add_document(tantivy.Document(stem=stem, pref=pref, word=word, row=row))
        writer.commit()
        writer.wait_merging_threads()
        print(f"  Tantivy index written in {time.perf_counter() - started:.0f} s", flush=True)
    engine.reload()
    return store, engine, made


def _joined(pool: Pool, picked: list[int]) -> tuple[str, str, str]:
    return tuple(" ".join(pool.columns[s][c] for s in picked) for c in range(3))


def tantivy_search(engine, terms: LexicalTerms, limit: int) -> list[tuple[int, float]]:
    import tantivy

    schema, searcher = engine.schema, engine.searcher()
    query = tantivy.Query.boolean_query([
        (tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, column, term), weight))
        for (column, column_terms), weight in zip(terms.columns().items(), WEIGHTS) for term in column_terms])
    hits = searcher.search(query, limit).hits
    return [(searcher.doc(address)["row"][0], score) for score, address in hits]


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn()
    return (time.perf_counter() - started) * 1000, out


def measure(target: int, folder: Path, budgets: list[int]) -> list[tuple[str, str]]:
    settings = Settings()
    pools = [Pool(language) for language in LANGUAGES]
    store, engine, made = build(folder, target, settings.chunk_size, pools)
    analyzer = QueryAnalyzer(detector=None, glossary=Glossary.load(settings.glossary_path))
    spread = [pool.questions[:: max(1, len(pool.questions) // QUESTIONS)][:QUESTIONS] for pool in pools]
    questions = [(analyzer.analyze(text, language).lexical_terms(), pool, gold)
                 for pool, language in enumerate(LANGUAGES) for text, gold in spread[pool]]
    limit = settings.candidates
    count = store.term_document_counts
    # The terms' counts, read from the index by the first questions after a commit; then kept.
    counting = [timed(lambda t=t: t.bounded(count, 0))[0] for t, _, _ in questions]

    def fts(terms: LexicalTerms):
        return store.lexical_search(terms.expression(), limit, WEIGHTS) if len(terms) else []

    def bounded(budget: int):
        def search(terms: LexicalTerms):
            kept, postings = terms.bounded(count, budget)
            return fts(kept), postings
        return search

    variants = {"FTS5, every term": lambda t: (fts(t), _postings(count, t)),
                **{f"FTS5, bounded to {b:,} postings": bounded(b) for b in budgets},
                "Tantivy, every term": lambda t: (tantivy_search(engine, t, limit), _postings(count, t))}
    times: dict[str, list[float]] = {name: [] for name in variants}
    found: dict[str, list] = {name: [] for name in variants}
    for _ in range(2):  # rounds alternate the variants: the machine's load falls on all alike
        for name, search in variants.items():
            runs = [timed(lambda t=t: search(t)) for t, _, _ in questions]
            times[name] += [ms for ms, _ in runs]
            found[name] = [out for _, out in runs]
    rows = [("chunks", f"{target:,}"), ("FTS5 (SQLite file)", f"{_size(folder, 'index.sqlite*') / 1e6:,.0f} MB"),
            ("Tantivy", f"{_size(folder / 'tantivy', '*') / 1e6:,.0f} MB"),
            ("terms' counts, uncached", f"p50 {_pct(counting, 50):.1f} ms, p95 {_pct(counting, 95):.1f} ms "
                                        "(the first questions after a commit; kept until the next)")]
    full = [[r for r, _ in hits[:10]] for hits, _ in found["FTS5, every term"]]
    for name in variants:
        hits = [h for h, _ in found[name]]
        gold = sum(bool(h) and pools[pool].sentences[g] in _sentences(pools, made[h[0][0] - 1])
                   for h, (_, pool, g) in zip(hits, questions)) / len(questions)
        kept = np.mean([len(set(f) & {r for r, _ in h}) / max(1, len(f)) for f, h in zip(full, hits)])
        postings = statistics.median(p for _, p in found[name])
        rows.append((name, f"p50 {_pct(times[name], 50):.1f} ms, p95 {_pct(times[name], 95):.1f} ms; "
                           f"gold in top row {gold:.3f}; full top-10 in its 40: {kept:.3f}; "
                           f"postings p50 {postings:,.0f}"))
    store.close()
    return rows


def _postings(count, terms: LexicalTerms) -> int:
    return sum(sum(count(column, t).values()) for column, t in terms.columns().items())


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
    parser.add_argument("--budgets", type=int, nargs="+", default=[5_000, 10_000, 20_000])
    parser.add_argument("--keep", type=Path, help="a folder to keep the corpora in, and reuse them from")
    args = parser.parse_args()
    try:
        import tantivy  # noqa: F401
    except ImportError:
        raise SystemExit("bench/lexical_scale.py measures Tantivy too: install the dev extra (pip install -e '.[dev]')")
    with tempfile.TemporaryDirectory() as tmp:
        for target in args.chunks:
            folder = (args.keep or Path(tmp)) / f"lexical-{target}"
            print(f"\n## {target:,} chunks", flush=True)
            print(table(measure(target, folder, args.budgets)), flush=True)


if __name__ == "__main__":
    main()
