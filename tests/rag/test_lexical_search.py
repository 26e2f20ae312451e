"""A filtered lexical search ranks the rows of all first and joins every match only when it must:
either way its rows are the allowed rows' best."""

from __future__ import annotations

import pytest

from rag.retrieval import PREFIX_WEIGHT, WORD_WEIGHT
from rag.store import WIDER

WEIGHTS = (1.0, PREFIX_WEIGHT, WORD_WEIGHT)
EXPRESSION = 'word : ("customs" OR "border" OR "frontera" OR "aduanas")'


@pytest.fixture
def engine(make_engine, files):
    """30 English and 30 Spanish documents in 'main', 2 Spanish ones in 'small'; each names its
    subject a different number of times, so that no two score alike."""
    engine = make_engine()
    for n in range(30):
        files.text(f"main/en{n:02d}.txt", f"Report {n}. " + "The customs officers guarded the border. " * (1 + n % 7)
                   + "Weather " * n)
        files.text(f"main/es{n:02d}.txt", f"Informe {n}. " + "Los agentes de aduanas vigilaron la frontera. "
                   * (1 + n % 5) + "Tiempo " * n)
    for n in range(2):
        files.text(f"small/es{n}.txt", f"Nota {n}. La frontera y las aduanas. " + "Lluvia " * (n + 3))
    engine.ingest_paths([files.root / "main"], collection="main")
    engine.ingest_paths([files.root / "small"], collection="small")
    return engine


def best_allowed(store, limit: int, languages=None, collections=None) -> list[float]:
    """The allowed rows' best scores, from every match ranked and then filtered."""
    everything = store.lexical_search(EXPRESSION, 10**6, WEIGHTS)
    rows = store.chunks((r for r, _ in everything), collections)
    return [s for r, s in everything if r in rows and (languages is None or rows[r][5] in languages)][:limit]


def joins(store, search) -> tuple[list, int]:
    """The search's rows, and how many statements joined every match to its chunk."""
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    try:
        found = search()
    finally:
        store.db.set_trace_callback(None)
    return found, sum("JOIN chunks c ON c.id = t.rowid" in s for s in statements)


@pytest.mark.parametrize("languages, collections, joined", [
    (None, ["main"], 0),  # 60 documents of 62: found among the best of all
    ({"en", "es"}, ["main"], 0),
    ({"es"}, None, None),  # half the index: either way
    ({"en"}, None, None),
    (None, ["small"], 1),  # 2 documents of 62: too few among the best of all, every match joined
    ({"en"}, ["small"], 1),  # none at all
])
def test_a_filtered_search_gives_the_allowed_rows_best(engine, languages, collections, joined):
    store = engine.index.store
    limit = 5
    found, joins_made = joins(store, lambda: store.lexical_search(EXPRESSION, limit, WEIGHTS, languages, collections))
    assert [s for _, s in found] == pytest.approx(best_allowed(store, limit, languages, collections))
    rows = store.chunks((r for r, _ in found), collections)
    assert len(rows) == len(found) and all(languages is None or rows[r][5] in languages for r, _ in found)
    assert joined is None or joins_made == joined


def test_a_search_that_finds_fewer_than_its_wider_limit_needs_no_join(engine):
    store = engine.index.store
    everything = store.lexical_search(EXPRESSION, 10**6, WEIGHTS)
    limit = len(everything) // WIDER + 1  # the first stage holds every match
    found, joins_made = joins(store, lambda: store.lexical_search(EXPRESSION, limit, WEIGHTS, None, ["small"]))
    assert joins_made == 0 and len(found) == 2
    assert [s for _, s in found] == pytest.approx(best_allowed(store, limit, None, ["small"]))
