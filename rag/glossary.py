"""A glossary of the field's terms in English, Spanish and Portuguese, for query expansion.

The bundled file covers organisations (IOM/OIM, UNODC/ONUDD), crimes (trata de personas /
human trafficking) and common words of questions; a team adds its own in a file with the
same format named by RAG_GLOSSARY_PATH.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .analysis import fold, words
from .errors import InvalidInput


@dataclass(frozen=True)
class Concept:
    terms: dict[str, tuple[str, ...]]  # language -> terms

    def all_terms(self) -> list[str]:
        return [t for terms in self.terms.values() for t in terms]


def parse(text: str, origin: str) -> list[Concept]:
    concepts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != 3:
            raise InvalidInput(
                f"{origin}, line {number}: expected three tab-separated columns (en, es, pt); "
                "fix the line or remove it."
            )
        concepts.append(
            Concept({lang: tuple(t.strip() for t in col.split("|") if t.strip())
                     for lang, col in zip(("en", "es", "pt"), columns)})
        )
    return concepts


class Glossary:
    """Finds glossary phrases in a question and returns their equivalents in the other languages."""

    def __init__(self, concepts: list[Concept]) -> None:
        self._by_phrase: dict[tuple[str, ...], list[Concept]] = {}
        for concept in concepts:
            for term in concept.all_terms():
                key = tuple(words(term)) or (fold(term),)
                self._by_phrase.setdefault(key, []).append(concept)
        self._longest = max((len(k) for k in self._by_phrase), default=1)

    @classmethod
    def load(cls, extra: Path | None = None) -> "Glossary":
        bundled = resources.files("rag").joinpath("data/glossary.tsv").read_text("utf-8")
        concepts = parse(bundled, "bundled glossary")
        if extra is not None:
            try:
                # utf-8-sig: editors on Windows start UTF-8 files with a byte-order mark.
                concepts += parse(Path(extra).read_text("utf-8-sig"), str(extra))
            except OSError as exc:
                raise InvalidInput(
                    f"cannot read the glossary {extra} ({exc.strerror}); fix RAG_GLOSSARY_PATH or unset it."
                ) from exc
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    f"the glossary {extra} is not UTF-8 text (invalid byte at position {exc.start}); "
                    "save it as UTF-8."
                ) from exc
        return cls(concepts)

    def matches(self, text: str) -> list[tuple[tuple[str, ...], list[str]]]:
        """(the phrase's folded words, its equivalents in all languages), longest phrases first."""
        tokens = words(text)
        found = []
        i = 0
        while i < len(tokens):
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                phrase = tuple(tokens[i:i + size])
                concepts = self._by_phrase.get(phrase)
                if concepts:
                    terms = list(dict.fromkeys(t for c in concepts for t in c.all_terms()))
                    found.append((phrase, terms))
                    i += size
                    break
            else:
                i += 1
        return found

    def expand(self, text: str) -> list[str]:
        """Every equivalent term of every glossary phrase in the text."""
        return list(dict.fromkeys(t for _, terms in self.matches(text) for t in terms))
