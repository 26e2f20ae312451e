"""What we know about a question before searching: its language, its terms, their translations."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import answer_types as types
from .analysis import LANGUAGES, PREFIX_LEN, LanguageDetector, is_informative, stem, tokens
from .glossary import Glossary
from .lexical_terms import LexicalTerms
from .translation import TranslationFailed, Translator

log = logging.getLogger("rag.query")


@dataclass(frozen=True)
class TermGroup:
    """One content word of the question, in every form that counts as a match for it."""

    word: str
    stems: frozenset[str]
    prefixes: frozenset[str]
    # Glossary equivalents of the phrase the word belongs to, each as the set of stems that must
    # all be present: "Ministério Público" matches "Prosecutor's Office", not any "prosecutor".
    # Each phrase is a tuple of words, each word the set of its stems in the three languages.
    phrases: tuple[tuple[frozenset[str], ...], ...] = ()

    @property
    def phrase_stems(self) -> set[str]:
        return {s for phrase in self.phrases for word in phrase for s in word}

    def matches_stems(self, stem_set: set[str]) -> bool:
        return bool(self.stems & stem_set) or any(
            all(word & stem_set for word in phrase) for phrase in self.phrases)


@dataclass
class Query:
    text: str
    language: str
    expansions: list[str]
    groups: list[TermGroup]
    vector: np.ndarray | None = field(default=None, repr=False)
    # The question machine-translated into each other language of the documents, analysed alike:
    # passages in that language are searched and scored with it.
    translations: dict[str, "Query"] = field(default_factory=dict)
    expect: types.Expect = types.Expect.OTHER  # the kind of thing asked for: a name, a number, a penalty…
    wants_list: bool = False  # "Which countries…", "list the…": the answer is a set of items
    listed: str | None = None  # the plural noun a list question asks for, in this form's words
    years: frozenset[str] = frozenset()  # the years the question is pinned to ("in 2023")

    def for_language(self, language: str) -> "Query":
        """The form of the question to match against text in `language`."""
        return self.translations.get(language, self)

    @property
    def stem_terms(self) -> set[str]:
        return {s for g in self.groups for s in g.stems | g.phrase_stems}

    @property
    def prefix_terms(self) -> set[str]:
        return {p for g in self.groups for p in g.prefixes}

    def lexical_terms(self) -> LexicalTerms:
        """Its stems, cross-language prefixes and whole words, in the lexical index's fields."""
        return LexicalTerms(frozenset(self.stem_terms), frozenset(self.prefix_terms),
                            frozenset(g.word for g in self.groups))

    @property
    def dense_text(self) -> str:
        """The English model reads the glossary's English terms better than the question's own."""
        if self.language == "en" or not self.expansions:
            return self.text
        return f"{self.text} ({'; '.join(self.expansions)})"


def _forms(word: str) -> set[str]:
    return {stem(word, lang) for lang in LANGUAGES}


class QueryAnalyzer:
    def __init__(self, *, detector: LanguageDetector, glossary: Glossary, translator: Translator | None = None,
                 document_languages: Callable[[], set[str]] = set) -> None:
        if translator is not None and not isinstance(translator, Translator):
            raise TypeError("translator must implement the Translator protocol")
        self.detector = detector
        self.glossary = glossary
        self.translator = translator
        self.document_languages = document_languages

    def analyze(self, text: str, language: str | None = None, *, document_languages: set[str] | None = None) -> Query:
        """The question, and its translation into each other language the documents are in (those
        searched, when given; else all the index's)."""
        query = self._analyze(text, language or self.detector.detect(text))
        if self.translator is not None:
            languages = self.document_languages() if document_languages is None else document_languages
            for target in sorted(languages - {query.language}):
                if not self.translator.supports(query.language, target):
                    continue
                try:
                    translated = self.translator.translate(text, query.language, target)
                except TranslationFailed as exc:
                    log.warning("question not translated to %s: %s", target, exc)
                    continue
                query.translations[target] = self._analyze(translated, target)
        return query

    def _analyze(self, text: str, language: str) -> Query:
        expansions = self.glossary.expand(text)
        translations = self._translations(text)
        groups = []
        for word, lowered in dict(t for t in tokens(text) if is_informative(t[0])).items():
            phrases = {tuple(frozenset(_forms(low)) for _, low in tokens(term)) for term in translations.get(word, [])}
            phrases.discard(())
            # Translations are matched as whole phrases; the prefix is for cognates the glossary lacks.
            groups.append(TermGroup(word, frozenset(_forms(lowered)), frozenset({word[:PREFIX_LEN]}), tuple(phrases)))
        return Query(text, language, expansions, groups, expect=types.expected(text),
                     wants_list=types.is_list_question(text), listed=types.listed_noun(text),
                     years=types.years(text))

    def _translations(self, text: str) -> dict[str, list[str]]:
        """Each question word -> the glossary equivalents of the phrase it belongs to."""
        out: dict[str, list[str]] = {}
        for phrase, terms in self.glossary.matches(text):
            for word in phrase:
                out.setdefault(word, []).extend(terms)
        return out
