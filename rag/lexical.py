"""The lexical half of the index: a Tantivy index of each chunk's terms, in `lexical-by-language/`
beside the vectors' files.

FTS5 scored every chunk holding any term of the question (980 ms at 1M chunks) and its inserts
were most of an ingest's per-chunk cost and bytes written; Tantivy's top-k search skips what cannot
reach the top (docs/scaling.md). The terms are our analyser's (`analysis.index_terms`), split on
whitespace only so that Tantivy does not analyse them again.

Each term carries its chunk's language ("es:frontera"), and a form of the question asks for the
terms of the languages it searches: the language filter is in the terms themselves. As a required
clause beside the terms, it had stopped Tantivy from skipping postings (block-max WAND needs a
query of terms alone): at 1M chunks 10.9 ms p50 against 3.0 ms now (bench/lexical_scale.py). A
term's BM25 statistics are then its language's, which no eval answer noticed (seeds and XQuAD
identical, one real_dev answer of 64 changed, wrong either way); the counts `document_counts`
gives the answer's IDF add up the languages, as before. A chunk's collection is a raw term, and a
caller's collections a required clause, applied before the ranking and its limit, so that a small
collection in a large index still gets its `limit` rows and a document a caller may not read never
reaches the ranking.

SQLite stays the source of truth. The single writer commits Tantivy inside each SQLite
transaction, just before its COMMIT, with the generation that transaction commits as, stored in
the same Tantivy commit (a document of row 0): either both commits happen or the generations
differ. Whenever they differ (a writer killed between the two, a failed SQLite commit) or the
folder is missing (an index of an older version: FTS5 only), the next holder of the write lock
rebuilds it from SQLite's chunks. Until then readers search what Tantivy holds: rows SQLite does
not have are dropped by the retriever's read of the rows, as are vectors' rows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from .analysis import index_terms
from .lexical_terms import COLUMNS, LexicalTerms

log = logging.getLogger("rag.lexical")

FOLDER = "lexical-by-language"
# Where an index of the version before held its terms, without their language: rebuilt into FOLDER.
OLD_FOLDER = "lexical"
# The row of the document that holds the generation: chunks' rows start at 1 (AUTOINCREMENT).
_GENERATION_ROW = 0
# The writer's memory: one thread (the other core embeds); a rebuild adds more at once.
WRITER_HEAP = 64_000_000
REBUILD_HEAP = 256_000_000
# A rebuild tells its progress every tenth of the chunks, and at most every this many.
PROGRESS_EVERY = 20_000


@dataclass(frozen=True)
class LexicalRow:
    """A chunk as the lexical index holds it."""

    row: int
    text: str
    language: str
    collection: str


# (row, score) best first; scores positive, larger better.
Ranked = list[tuple[int, float]]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for column in COLUMNS:
        builder.add_text_field(column, tokenizer_name="whitespace", index_option="freq")
    builder.add_integer_field("row", stored=True, indexed=True, fast=True)
    builder.add_integer_field("generation", stored=True)
    builder.add_text_field("collection", tokenizer_name="raw", index_option="basic")
    return builder.build()


class LexicalIndex:
    """Thread-safe: request threads search while the one writer of this process commits."""

    def __init__(self, folder: Path, generation: Callable[[], int], languages: Callable[[], Iterable[str]]) -> None:
        self.path = folder / FOLDER
        self._sqlite_generation = generation
        self._languages = languages
        self._schema = _schema()
        self.path.mkdir(exist_ok=True)
        self._index = tantivy.Index(self._schema, path=str(self.path))
        self._lock = threading.Lock()
        self._searcher = self._index.searcher()
        self._at = -1  # SQLite's generation when the searcher was last reloaded
        self._writer: tantivy.IndexWriter | None = None

    # --- reads -------------------------------------------------------------------------------

    def _current(self) -> tantivy.Searcher:
        """A searcher of Tantivy's newest commit, reloaded when SQLite's generation moves (any
        process's writer commits Tantivy first, so it then holds at least that generation)."""
        generation = self._sqlite_generation()
        if generation != self._at:
            with self._lock:
                if generation != self._at:
                    self._index.reload()
                    self._searcher = self._index.searcher()
                    self._at = generation
        return self._searcher

    def generation(self) -> int | None:
        """The generation Tantivy's newest commit was written for; None when it holds none."""
        self._index.reload()
        searcher = self._index.searcher()
        hits = searcher.search(Query.term_query(self._schema, "row", _GENERATION_ROW), 1, count=False).hits
        return searcher.doc(hits[0][1])["generation"][0] if hits else None

    def search(self, terms: LexicalTerms, limit: int, weights: tuple[float, ...],
               languages: Iterable[str] | None = None, collections: Iterable[str] | None = None) -> Ranked:
        """The best `limit` chunks holding any of the terms, each column's BM25 weighted by its
        weight (in COLUMNS' order); only those in `languages` and `collections` when given."""
        schema = self._schema
        languages = sorted(self._languages() if languages is None else languages)
        scored = [(Occur.Should, Query.boost_query(Query.term_query(schema, column, _term(language, term)), weight))
                  for language in languages
                  for (column, held), weight in zip(terms.columns().items(), weights) for term in sorted(held)]
        if not scored or (collections is not None and not collections):
            return []
        query = Query.boolean_query(scored)
        if collections is not None:  # required, and scoring nothing: the scores are those of the terms alone
            query = Query.boolean_query([(Occur.Must, query), (Occur.Must, Query.const_score_query(
                Query.term_set_query(schema, "collection", sorted(collections)), 0.0))])
        searcher = self._current()
        hits = searcher.search(query, limit, count=False).hits  # no count: top-k may skip postings
        # The rows from their fast field (a column): fetching each stored document cost more.
        rows = searcher.fast_field_values("row", [address for _, address in hits])
        return [(row, score) for row, (score, _) in zip(rows, hits)]

    def document_counts(self, column: str, terms: Iterable[str]) -> dict[str, int]:
        """term -> the chunks holding it in `column`, for the terms some chunk holds. Chunks deleted
        count until Tantivy merges their segment away, as in its own BM25."""
        searcher, languages = self._current(), list(self._languages())
        counts = {term: sum(searcher.doc_freq(column, _term(language, term)) for language in languages)
                  for term in set(terms)}
        return {term: n for term, n in counts.items() if n}

    # --- writes (the single writer, under the write lock) ------------------------------------

    def is_stale(self) -> bool:
        return self.generation() != self._sqlite_generation()

    def rebuild(self, rows: Callable[[], Iterator[LexicalRow]], total: int, generation: int) -> None:
        """Every chunk again, from SQLite's `rows` at its `generation`, in one Tantivy commit: a
        rebuild killed midway leaves the previous commit, still stale, rebuilt next time."""
        if total:  # a new index is simply given its generation
            log.warning("rebuilding the lexical index in %s from SQLite's %s chunks (an index of an older "
                        "version, or a write interrupted); once", self.path, f"{total:,}")
        writer = self._index.writer(REBUILD_HEAP, 1)
        with _committed(writer, generation):
            writer.delete_all_documents()
            done = 0
            for row in rows():
                writer.add_document(self._document(row))
                done += 1
                if done % max(PROGRESS_EVERY, total // 10) == 0:
                    log.warning("  lexical index: %s of %s chunks", f"{done:,}", f"{total:,}")
        writer.wait_merging_threads()
        if total:
            log.warning("  lexical index: done, %s chunks", f"{done:,}")

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around a writer's commits, under the write lock, once the index is not stale."""
        self._writer = self._index.writer(WRITER_HEAP, 1)
        try:
            yield
        finally:
            writer, self._writer = self._writer, None
            writer.wait_merging_threads()  # releases Tantivy's own lock with the merges done

    def commit(self, generation: int, removed: Iterable[int], added: Iterable[LexicalRow]) -> None:
        """Removes rows and adds rows (a row both removed and added is replaced), and records
        `generation`, in one Tantivy commit; called inside SQLite's transaction of that generation."""
        writer = self._writer
        assert writer is not None, "commit() is for the writer, inside writing()"
        with _committed(writer, generation):
            for row in [*removed, _GENERATION_ROW]:
                writer.delete_documents_by_term("row", row)
            for row in added:  # a delete applies to the documents added before it only
                writer.add_document(self._document(row))

    @staticmethod
    def _document(row: LexicalRow) -> tantivy.Document:
        stem, pref, word = (" ".join(_term(row.language, term) for term in terms)
                            for terms in index_terms(row.text, row.language))
        return tantivy.Document(stem=stem, pref=pref, word=word, row=row.row, collection=row.collection)


def _term(language: str, term: str) -> str:
    return f"{language}:{term}"


@contextmanager
def _committed(writer: tantivy.IndexWriter, generation: int) -> Iterator[None]:
    """The changes made inside, then the document that records `generation`, in one Tantivy
    commit; rolled back, nothing committed, when anything fails or the process is interrupted."""
    try:
        yield
        writer.add_document(tantivy.Document(row=_GENERATION_ROW, generation=generation))
        writer.commit()
    except BaseException:
        writer.rollback()
        raise
