"""Hybrid retrieval: dense (FAISS) and lexical (Tantivy BM25), fused by how far each can be trusted.

Each retriever's scores are scaled to [0, 1] over its candidates for the question, then summed
with weights that depend on the question's and the passage's languages. The bundled model was
trained on English: for an English question over English text the two retrievers are equals;
for Spanish over Spanish its ranking is mostly noise next to stemmed BM25 (XQuAD, articles 0-23:
dense R@1 0.56, lexical 0.94); across languages it still finds what the words cannot, so it
keeps half a vote.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from .index import Index
from .query import Query
from .schema import Hit
from .store import Collections

Mode = Literal["dense", "lexical", "hybrid"]
# BM25 weights of the fields besides the stemmed one: 5-letter prefixes (cognates across
# languages) and whole words, whose exact matches stemming blurs ("nacional" vs "nación").
# Chosen on XQuAD articles 0-23 (bench/lexical_weights.py): with FTS5, whole words at 1.5 raised
# R@1 (es/es 0.937 to 0.940, en/en 0.962 to 0.965); with Tantivy's per-field BM25, 1.0 beats 1.5
# in all four language settings (lexical R@1 +0.3 to +0.5 points).
PREFIX_WEIGHT = 0.35
WORD_WEIGHT = 1.0
# Dense weights (lexical is 1) when the model does not know one of the two languages.
UNKNOWN_SAME_LANGUAGE = 0.2
UNKNOWN_CROSS_LANGUAGE = 0.5
LEXICAL_WEIGHTS = (1.0, PREFIX_WEIGHT, WORD_WEIGHT)  # in rag/lexical_terms.COLUMNS' order
# The dense side of a hybrid search (embedding the question, then FAISS) runs on one of these
# threads while the request's own thread searches Tantivy: both release the GIL, and on 2 cores
# Engine.ask's p50 at 132k chunks fell from 29.9-30.3 to 25.7-26.2 ms (questions alternated in one
# process). Shared by every retriever; a thread is started only when a search needs it.
DENSE_THREADS = 4
_dense_pool = ThreadPoolExecutor(DENSE_THREADS, thread_name_prefix="dense-search")


def dense_weight(question: str, passage: str, model_languages: frozenset[str]) -> float:
    if question in model_languages and passage in model_languages:
        return 1.0
    return UNKNOWN_SAME_LANGUAGE if question == passage else UNKNOWN_CROSS_LANGUAGE


def _scaler(scores: list[dict[int, float]]) -> Callable[[float | None], float]:
    """Maps a score to [0, 1] over all the candidates' scores; a missing score is 0."""
    values = [s for part in scores for s in part.values()]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)
    span = high - low

    def scale(score: float | None) -> float:
        if score is None:
            return 0.0
        return (score - low) / span if span > 0 else 1.0

    return scale


class HybridRetriever:
    def __init__(self, *, index: Index, candidates: int = 40, model_languages: frozenset[str],
                 lexical_weights: tuple[float, float, float] = LEXICAL_WEIGHTS) -> None:
        if not isinstance(index, Index):
            raise TypeError("index must be an Index")
        if not model_languages:
            raise ValueError("model_languages must name at least one language")
        self.index = index
        self.candidates = candidates
        self.lexical_weights = lexical_weights  # another choice only to measure it (bench/lexical_weights.py)
        self.model_languages = model_languages

    def retrieve(self, query: Query, top_k: int, mode: Mode = "hybrid", collections: Collections = None) -> list[Hit]:
        """Passages in each language are searched with the question's form in that language: its
        translation where there is one, the question itself elsewhere; all forms' passages are
        ranked together. With `collections`, only their passages: both retrievers leave the others
        out before ranking, so that the candidates are the allowed collections' best."""
        forms = _forms(query, self.index.store.languages(collections) if query.translations else set())
        # The dense side reads the question itself where the model knows both languages (a
        # translation only adds noise there), and its translation where the model does not.
        readers = [query if self._knows(query.language, form.language) else form for form, _ in forms]
        dense: list[dict[int, float]] = [{} for _ in forms]
        lexical: list[dict[int, float]] = [{} for _ in forms]
        if mode == "dense":
            dense = self._dense(readers, collections)
        elif mode == "hybrid":
            searching = _dense_pool.submit(self._dense, readers, collections)
        if mode in ("lexical", "hybrid"):
            for n, (form, languages) in enumerate(forms):
                lexical[n] = dict(self.index.lexical.search(form.lexical_terms(), self.candidates,
                                                            self.lexical_weights, languages, collections))
        if mode == "hybrid":
            dense = searching.result()
        # Rows removed since the vectors were published are absent, and so, once more, is any row
        # outside the collections: a passage a caller may not read never gets further than here.
        rows = self.index.store.chunks(set().union(*dense, *lexical), collections)
        for n, (_, languages) in enumerate(forms):
            dense[n], lexical[n] = _kept(dense[n], rows, languages), _kept(lexical[n], rows, languages)
        # Scaled over every form's candidates together: the best passage of each language is not
        # made as good as the best of all (a weak match in Spanish must not tie a strong one in English).
        scale_dense, scale_lexical = _scaler(dense), _scaler(lexical)
        found: dict[int, Hit] = {}
        for reader, form_dense, form_lexical in zip(readers, dense, lexical):
            for row in form_dense.keys() | form_lexical.keys():
                doc_id, source, start, end, text, language = rows[row]
                weight = dense_weight(reader.language, language, self.model_languages)
                fused = weight * scale_dense(form_dense.get(row)) + scale_lexical(form_lexical.get(row))
                found[row] = Hit(row, doc_id, source, start, end, text, language, fused, form_dense.get(row),
                                 form_lexical.get(row))
        # Ties (equal fused scores) keep the dense order, then the row order: deterministic.
        return sorted(found.values(), key=lambda h: (-h.score, -(h.dense_score or -1.0), h.row))[:top_k]

    def _dense(self, readers: list[Query], collections: Collections) -> list[dict[int, float]]:
        """Each reader's nearest chunks, (row -> similarity), the readers embedded first where needed."""
        missing = list({id(r): r for r in readers if r.vector is None}.values())
        if missing:  # one batch: the model's fixed cost is paid once for all the forms
            vectors = self.index.embedder.embed([r.dense_text for r in missing], kind="query")
            for reader, vector in zip(missing, vectors):
                reader.vector = vector
        vectors = self.index.vectors
        searched = {id(r): dict(vectors.search(r.vector, self.candidates, collections)) for r in readers}
        return [searched[id(r)] for r in readers]

    def _knows(self, *languages: str) -> bool:
        return all(language in self.model_languages for language in languages)


def _kept(found: dict[int, float], rows: dict[int, tuple], languages: set[str] | None) -> dict[int, float]:
    """The rows found that exist, in a form's languages (a form answers for its languages' passages only)."""
    return {r: s for r, s in found.items() if r in rows and (languages is None or rows[r][5] in languages)}


def _forms(query: Query, document_languages: set[str]) -> list[tuple[Query, set[str] | None]]:
    """Each form of the question with the passage languages it searches (None: all of them)."""
    if not query.translations:
        return [(query, None)]
    forms: list[tuple[Query, set[str] | None]] = [(q, {language}) for language, q in query.translations.items()]
    # The question itself searches its own language and any the translator could not reach.
    rest = document_languages - set(query.translations)
    return [(query, rest)] + forms if rest else forms
