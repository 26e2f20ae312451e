"""A question's terms for the lexical search, in the lexical index's three fields."""

from __future__ import annotations

from dataclasses import dataclass

# The lexical index's fields (rag/lexical.py), in the order of their weights: stems,
# cross-language prefixes, whole words.
COLUMNS = ("stem", "pref", "word")


@dataclass(frozen=True)
class LexicalTerms:
    """A question's terms in each field."""

    stem: frozenset[str] = frozenset()
    pref: frozenset[str] = frozenset()
    word: frozenset[str] = frozenset()

    def columns(self) -> dict[str, frozenset[str]]:
        return {column: getattr(self, column) for column in COLUMNS}

    def __len__(self) -> int:
        return sum(len(terms) for terms in self.columns().values())
