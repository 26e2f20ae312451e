"""Hybrid retrieval: dense (FAISS) and lexical (SQLite FTS5 BM25), fused by weighted reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .index import Index
from .query import Query
from .schema import Hit

Mode = Literal["dense", "lexical", "hybrid"]
RRF_K = 60
# The bundled model was trained on English: its ranking of a question in another language is
# worth less than the lexical one, which matches names, numbers and glossary translations exactly.
DENSE_WEIGHT = {"en": 1.0, "es": 0.5, "pt": 0.5}
LEXICAL_WEIGHT = 1.0
# BM25 weight of the cross-language prefix column relative to the stemmed column.
PREFIX_WEIGHT = 0.35


@dataclass
class _Candidate:
    row: int
    dense: float | None = None
    dense_rank: int | None = None
    lexical: float | None = None
    lexical_rank: int | None = None
    fused: float = 0.0


class HybridRetriever:
    def __init__(self, *, index: Index, candidates: int = 40) -> None:
        if not isinstance(index, Index):
            raise TypeError("index must be an Index")
        self.index = index
        self.candidates = candidates

    def retrieve(self, query: Query, top_k: int, mode: Mode = "hybrid") -> list[Hit]:
        found: dict[int, _Candidate] = {}
        if mode in ("dense", "hybrid"):
            if query.vector is None:
                query.vector = self.index.embedder.embed([query.dense_text])[0]
            for rank, (row, score) in enumerate(self.index.vectors.search(query.vector, self.candidates)):
                c = found.setdefault(row, _Candidate(row))
                c.dense, c.dense_rank = score, rank
        if mode in ("lexical", "hybrid"):
            expression = query.fts_expression()
            if expression:
                hits = self.index.store.lexical_search(expression, self.candidates, (1.0, PREFIX_WEIGHT))
                for rank, (row, score) in enumerate(hits):
                    c = found.setdefault(row, _Candidate(row))
                    c.lexical, c.lexical_rank = score, rank
        dense_weight = DENSE_WEIGHT.get(query.language, 0.5)
        for c in found.values():
            if c.dense_rank is not None:
                c.fused += dense_weight / (RRF_K + c.dense_rank)
            if c.lexical_rank is not None:
                c.fused += LEXICAL_WEIGHT / (RRF_K + c.lexical_rank)
        best = sorted(found.values(), key=lambda c: c.fused, reverse=True)
        rows = self.index.store.chunks(c.row for c in best[: top_k * 2])
        hits = []
        for c in best:
            if c.row not in rows:
                continue  # deleted by a writer since the search; the next query will not see it
            doc_id, source, start, end, text, language = rows[c.row]
            hits.append(Hit(c.row, doc_id, source, start, end, text, language, c.fused, c.dense, c.lexical))
            if len(hits) == top_k:
                break
        return hits
