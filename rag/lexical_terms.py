"""The terms a lexical search reads, bounded so that its cost does not grow with the index.

FTS5 scores every chunk that holds any term of an OR query: a search costs about the sum of its
terms' document counts (postings), and these grow with the index. The frequent terms make most
of that sum and least of the ranking: their BM25 IDF is near zero. So the terms are read rarest
first while their counts add up to at most a budget of postings, and the rest are left out; the
rarest term is always read, so that a question never searches for nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# FTS5's columns, in the table's order: stems, cross-language prefixes, whole words.
COLUMNS = ("stem", "pref", "word")

# Counts a column's terms: term -> the chunks holding it, for the terms some chunk holds.
Counter = Callable[[str, Iterable[str]], dict[str, int]]


@dataclass(frozen=True)
class LexicalTerms:
    """A question's terms in each FTS5 column."""

    stem: frozenset[str] = frozenset()
    pref: frozenset[str] = frozenset()
    word: frozenset[str] = frozenset()

    def columns(self) -> dict[str, frozenset[str]]:
        return {column: getattr(self, column) for column in COLUMNS}

    def __len__(self) -> int:
        return sum(len(terms) for terms in self.columns().values())

    def expression(self) -> str:
        """An FTS5 MATCH expression: any of the terms, each in its column."""
        return " OR ".join(f"{column} : (" + " OR ".join(_quote(t) for t in sorted(terms)) + ")"
                           for column, terms in self.columns().items() if terms)

    def bounded(self, count: Counter, budget: int) -> tuple[LexicalTerms, int]:
        """The terms read rarest first while their postings add up to at most `budget` (and the
        rarest one in any case), with the postings they add up to. Terms no chunk holds cost
        nothing and match nothing: they are left out."""
        held = sorted((n, column, term) for column, terms in self.columns().items()
                      for term, n in count(column, terms).items() if n)
        kept: dict[str, set[str]] = {column: set() for column in COLUMNS}
        postings = 0
        for n, column, term in held:
            if postings and postings + n > budget:
                break
            kept[column].add(term)
            postings += n
        return LexicalTerms(**{column: frozenset(terms) for column, terms in kept.items()}), postings


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'
