"""The lexical index (Tantivy): ranking, filters applied before the limit, every kind of write,
the upgrade of an index of FTS5 only, rebuilds when its generation is not SQLite's, and readers
searching while the writer commits."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading

import pytest

from rag.lexical import FOLDER, OLD_FOLDER
from rag.lexical_terms import LexicalTerms
from rag.retrieval import LEXICAL_WEIGHTS

BORDER = LexicalTerms(word=frozenset({"customs", "border", "frontera", "aduanas"}))


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


def search(engine, terms=BORDER, limit=10**6, languages=None, collections=None):
    return engine.index.lexical.search(terms, limit, LEXICAL_WEIGHTS, languages, collections)


def sources(engine, found) -> list[str]:
    rows = engine.index.store.chunks(r for r, _ in found)
    return [rows[r][1] for r, _ in found]


def test_scores_are_positive_best_first_and_weighted_by_field(engine):
    found = search(engine)
    assert len(found) == 62 and all(s > 0 for _, s in found)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    # The weight multiplies its field's BM25: the same search weighted twice scores twice.
    doubled = engine.index.lexical.search(BORDER, 5, tuple(2 * w for w in LEXICAL_WEIGHTS))
    assert [(r, s) for r, s in doubled] == [(r, pytest.approx(2 * s, rel=1e-5)) for r, s in found[:5]]
    # A stem matches every form of the word; a term no chunk holds matches nothing.
    assert sources(engine, search(engine, LexicalTerms(stem=frozenset({"guard"}))))[0].startswith("en")
    assert search(engine, LexicalTerms(word=frozenset({"zyxwvut"}))) == []
    assert search(engine, LexicalTerms()) == []


@pytest.mark.parametrize("languages, collections, count", [
    ({"en"}, None, 30), ({"es"}, None, 32), (None, ["main"], 60), (None, ["small"], 2),
    ({"es"}, ["small"], 2), ({"en"}, ["small"], 0), (set(), None, 0), (None, [], 0)])
def test_filters_apply_before_the_ranking_and_its_limit(engine, languages, collections, count):
    everything = search(engine)
    rows = engine.index.store.chunks((r for r, _ in everything), collections)
    allowed = [(r, s) for r, s in everything if r in rows and (languages is None or rows[r][5] in languages)]
    assert len(allowed) == count
    for limit in (1, 5, 100):
        found = search(engine, limit=limit, languages=languages, collections=collections)
        # The same rows and scores as every match ranked then filtered: filtering scores nothing.
        assert [r for r, _ in found] == [r for r, _ in allowed[:limit]]
        assert [s for _, s in found] == pytest.approx([s for _, s in allowed[:limit]])


def test_a_small_collection_in_a_large_index_gets_its_rows(engine):
    """Its 2 chunks rank below the 60 of 'main' (shorter, fewer mentions): still found, within a limit of 5."""
    assert not {"es0.txt", "es1.txt"} & set(sources(engine, search(engine, limit=5)))
    assert sorted(sources(engine, search(engine, limit=5, collections=["small"]))) == ["es0.txt", "es1.txt"]


def rows_of(engine, source: str, collection: str) -> set[int]:
    doc_id = engine.index.store.document_by_source(source, collection).doc_id
    return {row for (row,) in engine.index.store.db.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))}


def test_removal_replacement_and_move_are_searched_at_once(engine, files, check):
    index, found = engine.index, lambda **filters: {r for r, _ in search(engine, **filters)}
    removed = rows_of(engine, "en03.txt", "main")
    index.remove(source="en03.txt", collection="main")
    assert removed and not removed & found()
    replaced = rows_of(engine, "en04.txt", "main")
    files.text("main/en04.txt", "Report 4 was rewritten: the harbour pilots.")
    engine.ingest_paths([files.root / "main"], collection="main")
    assert not replaced & found()
    assert found(terms=LexicalTerms(word=frozenset({"harbour"}))) == rows_of(engine, "en04.txt", "main")
    moving = rows_of(engine, "es0.txt", "small") | rows_of(engine, "es1.txt", "small")
    index.move_collection("small", "moved")
    assert found(collections=["small"]) == set() and found(collections=["moved"]) == moving
    assert index.lexical.document_counts("word", ["lluvia", "zyxwvut"]) == {"lluvia": 2}
    check.consistent(engine)


def test_another_process_commits_are_seen(engine, make_engine, files):
    other = make_engine()  # another writer, as another process would be
    other.ingest_paths([files.text("late/pt.txt", "A fronteira do Brasil.")], collection="late")
    assert sources(engine, search(engine, LexicalTerms(word=frozenset({"fronteira"})), collections=["late"])) == ["pt.txt"]


def fts5_only(index_dir) -> None:
    """Turns an index into one written before Tantivy: schema 4, FTS5 tables, no lexical folder."""
    shutil.rmtree(index_dir / FOLDER)
    with sqlite3.connect(index_dir / "index.sqlite") as db:
        db.executescript("""
            CREATE VIRTUAL TABLE chunk_terms USING fts5(stem, pref, word, tokenize='unicode61');
            CREATE VIRTUAL TABLE chunk_vocab USING fts5vocab(chunk_terms, 'col');
            INSERT INTO chunk_terms (rowid, stem, pref, word) SELECT id, text, text, text FROM chunks;
            UPDATE meta SET value = '4' WHERE key = 'schema';""")


def test_an_index_of_fts5_only_is_upgraded_and_its_lexical_index_built(engine, make_engine, index_dir, check,
                                                                       caplog):
    before = search(engine, limit=20)
    generation = engine.index.store.generation()
    engine.close()
    fts5_only(index_dir)
    with caplog.at_level(logging.WARNING, logger="rag.lexical"):
        upgraded = make_engine()
    assert upgraded.index.store.meta("schema") == "5"
    assert upgraded.index.store.generation() == generation
    tables = {name for (name,) in upgraded.index.store.db.execute("SELECT name FROM sqlite_master")}
    assert not {"chunk_terms", "chunk_vocab"} & tables
    assert "rebuilding the lexical index" in caplog.text and "62 chunks" in caplog.text
    assert [r for r, _ in search(upgraded, limit=20)] == [r for r, _ in before]
    check.consistent(upgraded)
    assert upgraded.ask("Who guarded the border?").found


def test_a_lexical_index_behind_or_ahead_of_sqlite_is_rebuilt_on_opening(engine, make_engine, index_dir, files,
                                                                         check, caplog):
    engine.close()
    behind = index_dir.parent / "behind"
    shutil.copytree(index_dir / FOLDER, behind)  # the lexical index at this generation
    reopened = make_engine()
    reopened.remove(source="en05.txt", collection="main")
    reopened.ingest_paths([files.text("new/x.txt", "The border of the customs union.")], collection="new")
    reopened.close()
    shutil.rmtree(index_dir / FOLDER)
    shutil.copytree(behind, index_dir / FOLDER)  # as if the last two commits reached SQLite only
    with caplog.at_level(logging.WARNING, logger="rag.lexical"):
        rebuilt = make_engine()
    assert "rebuilding the lexical index" in caplog.text
    found = sources(rebuilt, search(rebuilt))
    assert "x.txt" in found and "en05.txt" not in found
    check.consistent(rebuilt)


def test_readers_search_while_the_writer_commits(engine, files, check):
    """Request threads search throughout an ingest of many commits: never an error, every row
    found exists or existed, and each reader sees the new documents once the ingest is done."""
    import rag.index

    for n in range(40):
        files.text(f"more/doc{n:02d}.txt", f"Memo {n}. The customs border patrol. " * 40)
    known = {r for r, _ in search(engine)}
    errors: list[BaseException] = []
    seen: list[set[int]] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                found = search(engine, limit=200, collections=["main", "more"])
                seen.append({r for r, _ in found})
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    previous, rag.index.GROUP_CHUNKS = rag.index.GROUP_CHUNKS, 8  # many commits
    try:
        report = engine.ingest_paths([files.root / "more"], collection="more")
    finally:
        rag.index.GROUP_CHUNKS = previous
        done.set()
        for reader in readers:
            reader.join()
    assert not errors, errors
    added = set(engine.index.store.chunks(r for r, _ in search(engine, collections=["more"])))
    assert report.chunks == len(added) > 40
    assert len(seen) > 10 and all(rows <= known | added for rows in seen)
    assert any(rows & added and not added <= rows for rows in seen), "no search ran between two commits"
    check.consistent(engine)


def test_an_index_of_terms_without_their_language_is_rebuilt_with_them(engine, make_engine, index_dir, check,
                                                                      caplog):
    # The version before kept its terms in `lexical/`, unmarked, and filtered languages at search time.
    before = search(engine, limit=20, languages={"es"})
    engine.close()
    (index_dir / FOLDER).rename(index_dir / OLD_FOLDER)
    with caplog.at_level(logging.WARNING, logger="rag.lexical"):
        reopened = make_engine()
    assert "rebuilding the lexical index" in caplog.text
    assert (index_dir / FOLDER).is_dir() and not (index_dir / OLD_FOLDER).exists()
    # The same ranking (scores move a little: chunks deleted earlier no longer count in BM25's statistics).
    assert [r for r, _ in search(reopened, limit=20, languages={"es"})] == [r for r, _ in before]
    check.consistent(reopened)


def test_a_word_of_two_languages_is_searched_in_each_and_counted_in_both(make_engine, files):
    engine = make_engine()
    files.text("docs/en.txt", "The Mercosur agreement on migration was signed by the ministers.")
    files.text("docs/es.txt", "El acuerdo del Mercosur sobre migración fue firmado por los ministros.")
    engine.ingest_paths([files.root / "docs"])
    mercosur = LexicalTerms(word=frozenset({"mercosur"}))
    assert sources(engine, search(engine, mercosur, languages={"es"})) == ["es.txt"]
    assert sources(engine, search(engine, mercosur, languages={"en"})) == ["en.txt"]
    assert sorted(sources(engine, search(engine, mercosur))) == ["en.txt", "es.txt"]
    # A question's IDF (Engine._idf) counts the chunks of every language that hold the word.
    assert engine.index.lexical.document_counts("word", ["mercosur", "migration"]) == {"mercosur": 2, "migration": 1}
