"""The lexical search reads a bounded number of postings: the question's rarest terms first."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rag.lexical_terms import LexicalTerms
from rag.retrieval import PREFIX_WEIGHT, WORD_WEIGHT
from rag.settings import Settings

COMMON = "The regional office filed its annual report on cooperation."


def write_documents(files, count: int):
    """`count` documents sharing common words; one of them alone names the rare 'extradition'."""
    for n in range(count):
        rare = " An extradition treaty was signed." if n == count // 2 else ""
        files.text(f"docs/doc{n:03d}.txt", f"Document {n}. {COMMON}{rare}")
    return files.root / "docs"


def question(engine, text: str):
    return engine.analyzer.analyze(text, language="en")


def test_the_terms_kept_are_the_rarest_within_the_budget(make_engine, files):
    engine = make_engine()
    engine.ingest_paths([write_documents(files, 30)])
    count = engine.index.store.term_document_counts
    terms = question(engine, "Which office signed the extradition treaty in its report?").lexical_terms()
    full = {(c, t): n for c, ts in terms.columns().items() for t, n in count(c, ts).items()}
    assert max(full.values()) == 30 and min(full.values()) == 1  # common and rare terms alike

    kept, postings = terms.bounded(count, 10)
    held = {(c, t) for c, ts in kept.columns().items() for t in ts}
    assert postings == sum(full[k] for k in held) <= 10
    assert {k for k, n in full.items() if n == 1} <= held  # every rare term read
    assert not {k for k, n in full.items() if n == 30} & held  # no term of every document
    # Nothing left out would have fitted: the next rarest term overflows the budget.
    assert min(n for k, n in full.items() if k not in held) > 10 - postings


def test_the_rarest_term_is_read_whatever_the_budget_and_unknown_terms_never(make_engine, files):
    engine = make_engine()
    engine.ingest_paths([write_documents(files, 30)])
    count = engine.index.store.term_document_counts
    terms = question(engine, "annual report of zyxwvut").lexical_terms()
    assert "zyxwvut" in terms.word

    kept, postings = terms.bounded(count, 1)
    assert len(kept) == 1 and postings == 30  # every known term is in all 30: one of them, over the budget
    everything, _ = terms.bounded(count, 10**9)
    assert "zyxwvut" not in everything.word and "zyxwv" not in everything.pref  # no chunk holds them
    assert not LexicalTerms().bounded(count, 10)[0]


def test_a_budget_the_question_fits_in_changes_no_result(make_engine, files):
    engine = make_engine()
    engine.ingest_paths([write_documents(files, 30)])
    store = engine.index.store
    query = question(engine, "Which office signed the extradition treaty in its report?")
    weights = (1.0, PREFIX_WEIGHT, WORD_WEIGHT)
    unbounded = store.lexical_search(query.fts_expression(), 40, weights)
    kept, _ = query.lexical_terms().bounded(store.term_document_counts, 10**6)
    assert store.lexical_search(kept.expression(), 40, weights) == unbounded
    hits = engine.retriever.retrieve(query, 40, mode="lexical")
    assert [(h.row, h.lexical_score) for h in hits] == [(r, s) for r, s in unbounded]


def test_a_tight_budget_still_ranks_the_passage_of_the_rare_words_first(make_engine, files):
    engine = make_engine(lexical_postings=5)
    engine.ingest_paths([write_documents(files, 30)])
    query = question(engine, "Which office signed the extradition treaty in its report?")
    hits = engine.retriever.retrieve(query, 5, mode="lexical")
    assert hits[0].source.endswith("doc015.txt")
    assert len(hits) == 1  # the common words were not read: no other passage came up
    answer = engine.ask("Which office signed the extradition treaty?")
    assert answer.found and answer.citations[0].source.endswith("doc015.txt")


def test_the_budget_is_a_setting_refused_below_one():
    with pytest.raises(ValidationError, match="lexical_postings"):
        Settings(lexical_postings=0)
