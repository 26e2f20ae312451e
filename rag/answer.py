"""Extractive answers: the sentences of the retrieved passages that answer the question, cited.

No language model runs offline here, so the answer is made of sentences quoted verbatim, each
followed by a marker [n] pointing at citations[n-1]. Sentences are scored on how much of the
question's (IDF-weighted) content they and their passage hold, on whether they hold the kind of
thing asked for (a name for "who", a number for "how many"), and on the passage's rank.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from functools import lru_cache, partial
from bisect import bisect_right
from dataclasses import dataclass

from . import answer_types as types
from .analysis import prefixes, stems
from .i18n import NOT_FOUND, message
from .embedding import Embedder
from .meaning import LIKELY, SentenceSimilarity
from .query import Query, TermGroup
from .schema import Answer, Citation, Hit, page_at
from .selection import Scored, Selector
from .sentences import DocumentSentences
from .translation import TranslationFailed, Translator

log = logging.getLogger("rag.answer")

PREFIX_CREDIT = 0.6  # a cross-language prefix match is weaker evidence than a stem match
MIN_SENTENCE_CHARS = 25
CONTEXT_BEFORE, CONTEXT_AFTER = 2, 1
TYPE_BONUS, TYPE_MISSING = 0.2, 0.1
LISTED_BONUS = 0.15
LISTED_THRESHOLD = 0.2  # the bar of a list that counts what is asked: its count and items are evidence too
# Kinds an answer must hold to stand: a sentence without a number does not say "how many". A
# duration ("how long") and an amount ("how much") are often said in words no pattern foresees
# ("well into the nineteenth century"), so they only weigh in the score.
REQUIRED = {types.Expect.NUMBER, types.Expect.MONEY, types.Expect.PERCENT, types.Expect.PENALTY}
TYPED = REQUIRED | {types.Expect.PERSON, types.Expect.DATE, types.Expect.DURATION, types.Expect.AMOUNT}


@dataclass(frozen=True)
class AcrossLanguages:
    """The lower bar for a sentence in another language than the question: its lexical evidence
    at least `threshold`, and its passage's similarity to the question under the embedding model
    at least `similarity` (a cosine, so it depends on the model)."""

    threshold: float
    similarity: float


class _Form:
    """One form of the question (itself, or its translation) with what scoring needs of it, and
    whether it reads a sentence as written or through its machine translation (`glossed`)."""

    def __init__(self, query: Query, weights: dict[str, float], glossed: bool = False) -> None:
        self.query = query
        self.glossed = glossed
        self.weights = weights
        self.total = sum(weights.values()) or 1.0
        self.subject = [g.word for g in query.groups]
        self.matched: dict[tuple[str, int], dict[str, float]] = {}

    def cover(self, matched: dict[str, float]) -> float:
        return sum(self.weights[w] * m for w, m in matched.items()) / self.total


class Composer:
    def __init__(self, *, idf: Callable[[Query], dict[str, float]], text_of: Callable[[str], str],
                 pages_of: Callable[[str], tuple[tuple[int, int], ...]] = lambda doc_id: (),
                 max_chars: int = 500, threshold: float = 0.45, across: AcrossLanguages | None = None,
                 translator: Translator | None = None, embedder: Embedder | None = None,
                 similarity_weight: float = 0.0, likely: int = LIKELY) -> None:
        if translator is not None and not isinstance(translator, Translator):
            raise TypeError("translator must implement the Translator protocol")
        if similarity_weight and embedder is None:
            raise ValueError("a similarity weight needs the embedder that reads sentences")
        self.idf = idf
        self.pages_of = pages_of
        self.translator = translator
        # A doc_id names one immutable text, so its sentences can be split once and kept.
        self._split = lru_cache(maxsize=512)(lambda doc_id: DocumentSentences(text_of(doc_id)))
        # Read once per document, not once per candidate sentence that "not found" weighs.
        self._years = lru_cache(maxsize=512)(lambda doc_id: types.years_named(self._split(doc_id).text))
        self.meaning = (SentenceSimilarity(embedder=embedder, weight=similarity_weight, sentences=self._split,
                                           likely=likely) if similarity_weight else None)
        self._terms = lru_cache(maxsize=50_000)(self._analyse)
        self._glossed_terms = lru_cache(maxsize=50_000)(self._analyse_glossed)
        self.threshold = threshold
        self.across = across
        self._selector = Selector(sentences=self._split, stands=self._stands, max_chars=max_chars)

    def compose(self, query: Query, hits: list[Hit]) -> Answer:
        candidates = self.score(query, hits)
        if not any(self._stands(c, query) for c in candidates):
            return Answer(query.text, message(NOT_FOUND, query.language), False, query.language, [])
        if self.meaning is not None:  # meaning orders the sentences; it never decides whether one stands
            candidates = self.meaning.rerank(query, candidates, partial(self._selector.may_follow, query))
        chosen = self._selector.select(query, candidates)
        citations, parts = [], []
        for n, s in enumerate(chosen, start=1):
            citations.append(Citation(s.hit.doc_id, s.hit.source, s.span.start, s.span.end, s.span.text,
                                      round(s.score, 4), s.hit.language,
                                      page=page_at(self.pages_of(s.hit.doc_id), s.span.start)))
            parts.append(f"{s.span.text}{' …' if s.trimmed else ''} [{n}]")
        return Answer(query.text, " ".join(parts), True, query.language, citations)

    def _stands(self, s: Scored, query: Query) -> bool:
        """Whether a sentence is evidence enough to answer rather than say "not found"."""
        # A question pinned to a year the document never names while it names others ("how many …
        # in 2023" over a 2015 report), or asking for a kind of thing the sentence lacks ("how much
        # do they charge" and no amount), is not answered by it, however many of its words the
        # sentence shares. A text that names no year at all (an excerpt, a note) says nothing of its time.
        named = self._years(s.hit.doc_id) if query.years else frozenset()
        if named and not query.years & named:
            return False
        if query.expect in REQUIRED and not s.fits:
            return False
        if s.evidence >= self.threshold:
            return True
        # A list that counts what a list question asks for ("benefits eight countries … Ecuador,
        # Peru…" for "Which countries take part…?") answers it in other words than the question's.
        if query.wants_list and s.fits and s.evidence >= LISTED_THRESHOLD:
            return True
        # Read through a machine translation, a sentence shares fewer words with the question than
        # it would in its own language ("marks" for "make"): the passage's meaning may vouch for it.
        return (self.across is not None and s.hit.language != query.language
                and s.evidence >= self.across.threshold and (s.hit.dense_score or 0.0) >= self.across.similarity)

    # --- scoring -----------------------------------------------------------------------------

    def score(self, query: Query, hits: list[Hit]) -> list[Scored]:
        """Every sentence of the passages, scored against the question's form in the passage's language."""
        forms: dict[tuple[str, bool], _Form] = {}
        best: dict[tuple[str, int], Scored] = {}
        self._translate_ahead(query, hits)
        for rank, hit in enumerate(hits):
            for form, glossed in self._readings(query, hit):
                if (form.language, glossed) not in forms:
                    forms[form.language, glossed] = _Form(form, self.idf(form), glossed)
                for scored in self._score_hit(forms[form.language, glossed], query, rank, hit):
                    key = (hit.doc_id, scored.position)
                    if key not in best or scored.score > best[key].score:
                        best[key] = scored
        return sorted(best.values(), key=lambda s: s.score, reverse=True)

    def _readings(self, query: Query, hit: Hit) -> list[tuple[Query, bool]]:
        """The ways a passage is read: (form of the question, through the sentence's translation?).

        A passage in another language is read with the question's translation, with the question
        itself (names, numbers, glossary terms, cognates), and with the question against each
        sentence machine-translated into the question's language: each direction loses other words
        (Apertium makes the question's "equipos" "squads", but a sentence's "teams" comes back
        "equipos"), so together they miss less. The best reading counts.
        """
        own = query.for_language(hit.language)
        if own is query:
            return [(query, False)]
        readings = [(own, False), (query, False)]
        if self.translator is not None and self.translator.supports(hit.language, query.language):
            readings.append((query, True))
        return readings

    def _translate_ahead(self, query: Query, hits: list[Hit]) -> None:
        """Translates at once every sentence that the readings through a translation will read:
        one Apertium exchange per language, not one per sentence (a question read some twenty)."""
        wanted: dict[str, dict[str, None]] = {}
        for hit in hits:
            if any(glossed for _, glossed in self._readings(query, hit)):
                split = self._split(hit.doc_id)
                read = _read_range(split, hit)
                texts = wanted.setdefault(hit.language, {})
                for i in range(max(0, read.start - CONTEXT_BEFORE), min(len(split.spans), read.stop + CONTEXT_AFTER)):
                    texts[split.spans[i].text] = None
        for language, texts in wanted.items():
            try:
                self.translator.translate_many(list(texts), language, query.language)
            except TranslationFailed as exc:  # each sentence is tried again alone, as it is read
                log.debug("sentences not translated ahead: %s", exc)

    def _score_hit(self, form: "_Form", asked: Query, rank: int, hit: Hit) -> list[Scored]:
        query, kind = form.query, asked.expect
        split = self._split(hit.doc_id)
        sentences = split.spans

        def matched_at(i: int) -> dict[str, float]:
            key = (hit.doc_id, i)
            if key not in form.matched:
                terms = (self._glossed_terms(hit.doc_id, i, hit.language, query.language) if form.glossed
                         else self._terms(hit.doc_id, i, hit.language))
                form.matched[key] = _match(query.groups, *terms)
            return form.matched[key]

        out = []
        for i in _read_range(split, hit):
            span = sentences[i]
            matched = matched_at(i)
            # The sentences just before and after often name what this one only refers to.
            context: dict[str, float] = {}
            for j in range(max(0, i - CONTEXT_BEFORE), min(len(sentences), i + CONTEXT_AFTER + 1)):
                for w, m in matched_at(j).items():
                    context[w] = max(context.get(w, 0.0), m)
            own, around = form.cover(matched), form.cover(context)
            bonus = 0.0
            if kind is types.Expect.DEFINITION:
                fits = types.defines(form.subject, span.text)
            else:
                fits = types.holds(kind, span.text, query.text)
            if kind is types.Expect.DEFINITION and fits:
                bonus += 0.15
            elif fits:
                bonus += TYPE_BONUS
            elif kind in TYPED:
                bonus -= TYPE_MISSING  # "who" wants a name: a sentence without one rarely answers
            introduces = (span.text.endswith(":") and i + 1 < len(sentences)
                          and types.is_list_item(sentences[i + 1].text))
            if asked.wants_list and (introduces or types.has_enumeration(span.text)):
                # A list announced by a count of what is asked for ("benefits eight countries …
                # Ecuador, Peru…") answers it; another list ("representatives of the Ministries of
                # Justice, Interior…") may not. The count is read in the words this reading reads.
                read = self._gloss(hit.doc_id, i, hit.language, query.language) if form.glossed else span.text
                announced = bool(query.listed and read and types.announces(read, query.listed))
                fits = fits or announced
                bonus += 0.2 + (LISTED_BONUS if announced else 0.0)
            penalty = 0.2 if len(span.text) < MIN_SENTENCE_CHARS else 0.0
            penalty += 0.1 if types.is_heading(span.text) else 0.0
            score = 0.55 * own + 0.25 * around + 0.1 / (1 + rank) + bonus - penalty
            # Prefixes alone are weak evidence ("receita" is not "received"): some word of the
            # question must match exactly, by stem or glossary translation, for an answer to stand.
            exact = any(m == 1.0 for m in context.values())
            evidence = 0.6 * own + 0.4 * around if exact else 0.0
            out.append(Scored(hit, rank, span, matched, score, evidence, i, split.paragraphs[i], fits))
        return out

    def _analyse(self, doc_id: str, i: int, language: str) -> tuple[frozenset[str], frozenset[str]]:
        text = self._split(doc_id).spans[i].text
        return frozenset(stems(text, language)), frozenset(prefixes(text))

    def _analyse_glossed(self, doc_id: str, i: int, source: str, target: str) -> tuple[frozenset[str], frozenset[str]]:
        """The terms of sentence i's translation into `target`; none when it cannot be translated."""
        text = self._gloss(doc_id, i, source, target)
        if text is None:
            return frozenset(), frozenset()
        return frozenset(stems(text, target)), frozenset(prefixes(text))

    def _gloss(self, doc_id: str, i: int, source: str, target: str) -> str | None:
        """Sentence i translated into `target` (the translator keeps recent ones), or None."""
        try:
            return self.translator.translate(self._split(doc_id).spans[i].text, source, target)
        except TranslationFailed as exc:
            log.debug("sentence not translated for scoring: %s", exc)
            return None


def _read_range(split: DocumentSentences, hit: Hit) -> range:
    """The sentences a passage's answer may come from: those it overlaps, and one past its end (a
    list often follows the sentence that names its subject)."""
    last = bisect_right(split.starts, hit.end - 1) + 1
    return range(bisect_right(split.ends, hit.start), min(last, len(split.spans)))


def _match(groups: list[TermGroup], stem_set: frozenset[str], prefix_set: frozenset[str]) -> dict[str, float]:
    """group word -> 1.0 for a stem match, PREFIX_CREDIT for a cross-language prefix match."""
    out = {}
    for g in groups:
        if g.matches_stems(stem_set):
            out[g.word] = 1.0
        elif g.prefixes & prefix_set:
            out[g.word] = PREFIX_CREDIT
    return out


def bm25_idf(document_count: int, frequency: int) -> float:
    return math.log(1 + (document_count - frequency + 0.5) / (frequency + 0.5))
