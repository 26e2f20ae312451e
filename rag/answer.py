"""Extractive answers: the sentences of the retrieved passages that answer the question, cited.

No language model runs offline here, so the answer is made of sentences quoted verbatim, each
followed by a marker [n] pointing at citations[n-1]. Sentences are scored on how much of the
question's (IDF-weighted) content they and their passage hold, on whether they hold the kind of
thing asked for (a name for "who", a number for "how many"), and on the passage's rank.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from functools import lru_cache
from bisect import bisect_right
from dataclasses import dataclass

from . import answer_types as types
from .analysis import prefixes, stems, words
from .i18n import NOT_FOUND, message
from .query import Query, TermGroup
from .schema import Answer, Citation, Hit
from .sentences import Span, split_sentences
from .translation import TranslationFailed, Translator

log = logging.getLogger("rag.answer")

MAX_SENTENCES = 3
# A further sentence joins the answer only when it scores close to the best one, and either
# matches a question word the answer lacks or sits within NEIGHBOURHOOD sentences of the best
# one, in its paragraph: the answer often follows the sentence that names its subject.
FOLLOWER_RATIO = 0.6
NEIGHBOURHOOD = 2
PREFIX_CREDIT = 0.6  # a cross-language prefix match is weaker evidence than a stem match
MIN_SENTENCE_CHARS = 25
CONTEXT_BEFORE, CONTEXT_AFTER = 2, 1
TYPE_BONUS, TYPE_MISSING = 0.2, 0.1
LISTED_BONUS = 0.15
TYPED = {types.Expect.PERSON, types.Expect.NUMBER, types.Expect.DATE, types.Expect.DURATION, types.Expect.MONEY,
         types.Expect.PERCENT}


class _Sentences:
    """A document's sentences with their offsets and paragraph numbers, kept for bisecting per question."""

    def __init__(self, text: str) -> None:
        self.spans = split_sentences(text)
        self.starts = [s.start for s in self.spans]
        self.ends = [s.end for s in self.spans]
        breaks = [m.end() for m in _PARAGRAPH_BREAK.finditer(text)]
        self.paragraphs = [bisect_right(breaks, s.start) for s in self.spans]


@dataclass
class Scored:
    hit: Hit
    rank: int
    span: Span
    matched: dict[str, float]
    score: float
    evidence: float
    position: int = 0  # the sentence's index in its document
    paragraph: int = 0  # the index of its paragraph (blank-line separated) in the document
    trimmed: bool = False  # cut to its best clauses: the answer marks the cut with "…"


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
        self.listed = types.listed_noun(query.text)  # "countries" of "Which countries…", in this form's words
        self.matched: dict[tuple[str, int], dict[str, float]] = {}

    def cover(self, matched: dict[str, float]) -> float:
        return sum(self.weights[w] * m for w, m in matched.items()) / self.total


class Composer:
    def __init__(self, *, idf: Callable[[Query], dict[str, float]], text_of: Callable[[str], str],
                 max_chars: int = 500, threshold: float = 0.45, across: AcrossLanguages | None = None,
                 translator: Translator | None = None) -> None:
        if translator is not None and not isinstance(translator, Translator):
            raise TypeError("translator must implement the Translator protocol")
        self.idf = idf
        self.translator = translator
        # A doc_id names one immutable text, so its sentences can be split once and kept.
        self._split = lru_cache(maxsize=512)(lambda doc_id: _Sentences(text_of(doc_id)))
        self._terms = lru_cache(maxsize=50_000)(self._analyse)
        self._glossed_terms = lru_cache(maxsize=50_000)(self._analyse_glossed)
        self.max_chars = max_chars
        self.threshold = threshold
        self.across = across

    def compose(self, query: Query, hits: list[Hit]) -> Answer:
        candidates = self.score(query, hits)
        if not any(self._stands(c, query) for c in candidates):
            return Answer(query.text, message(NOT_FOUND, query.language), False, query.language, [])
        chosen = self._select(query, candidates)
        citations, parts = [], []
        for n, s in enumerate(chosen, start=1):
            citations.append(Citation(s.hit.doc_id, s.hit.source, s.span.start, s.span.end, s.span.text,
                                      round(s.score, 4), s.hit.language))
            parts.append(f"{s.span.text}{' …' if s.trimmed else ''} [{n}]")
        return Answer(query.text, " ".join(parts), True, query.language, citations)

    def _stands(self, s: Scored, query: Query) -> bool:
        """Whether a sentence is evidence enough to answer rather than say "not found"."""
        if s.evidence >= self.threshold:
            return True
        # Read through a machine translation, a sentence shares fewer words with the question than
        # it would in its own language ("marks" for "make"): the passage's meaning may vouch for it.
        return (self.across is not None and s.hit.language != query.language
                and s.evidence >= self.across.threshold and (s.hit.dense_score or 0.0) >= self.across.similarity)

    # --- scoring -----------------------------------------------------------------------------

    def score(self, query: Query, hits: list[Hit]) -> list[Scored]:
        """Every sentence of the passages, scored against the question's form in the passage's language."""
        kind = types.expected(query.text)
        want_list = types.is_list_question(query.text)
        forms: dict[tuple[str, bool], _Form] = {}
        best: dict[tuple[str, int], Scored] = {}
        for rank, hit in enumerate(hits):
            for form, glossed in self._readings(query, hit):
                if (form.language, glossed) not in forms:
                    forms[form.language, glossed] = _Form(form, self.idf(form), glossed)
                for scored in self._score_hit(forms[form.language, glossed], kind, want_list, rank, hit):
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

    def _score_hit(self, form: "_Form", kind: types.Expect, want_list: bool, rank: int, hit: Hit) -> list[Scored]:
        query = form.query
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
        first = bisect_right(split.ends, hit.start)
        # One sentence past the passage's end: a list often follows the sentence that names its subject.
        last = bisect_right(split.starts, hit.end - 1) + 1
        for i in range(first, min(last, len(sentences))):
            span = sentences[i]
            matched = matched_at(i)
            # The sentences just before and after often name what this one only refers to.
            context: dict[str, float] = {}
            for j in range(max(0, i - CONTEXT_BEFORE), min(len(sentences), i + CONTEXT_AFTER + 1)):
                for w, m in matched_at(j).items():
                    context[w] = max(context.get(w, 0.0), m)
            own, around = form.cover(matched), form.cover(context)
            bonus = 0.0
            if kind is types.Expect.DEFINITION and types.defines(form.subject, span.text):
                bonus += 0.15
            elif types.holds(kind, span.text, query.text):
                bonus += TYPE_BONUS
            elif kind in TYPED:
                bonus -= TYPE_MISSING  # "who" wants a name: a sentence without one rarely answers
            if want_list and types.has_enumeration(span.text):
                # A list announced by a count of what is asked for ("benefits eight countries …
                # Ecuador, Peru…") answers it; another list ("representatives of the Ministries of
                # Justice, Interior…") may not. The count is read in the words this reading reads.
                read = self._gloss(hit.doc_id, i, hit.language, query.language) if form.glossed else span.text
                bonus += 0.2 + (LISTED_BONUS if form.listed and read and types.announces(read, form.listed) else 0.0)
            penalty = 0.2 if len(span.text) < MIN_SENTENCE_CHARS else 0.0
            penalty += 0.1 if types.is_heading(span.text) else 0.0
            score = 0.55 * own + 0.25 * around + 0.1 / (1 + rank) + bonus - penalty
            # Prefixes alone are weak evidence ("receita" is not "received"): some word of the
            # question must match exactly, by stem or glossary translation, for an answer to stand.
            exact = any(m == 1.0 for m in context.values())
            evidence = 0.6 * own + 0.4 * around if exact else 0.0
            out.append(Scored(hit, rank, span, matched, score, evidence, i, split.paragraphs[i]))
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

    # --- selection ---------------------------------------------------------------------------

    def _select(self, query: Query, ranked: list[Scored]) -> list[Scored]:
        best = self._fit(ranked[0])
        chosen = [best]
        covered = set(best.matched)
        budget = self.max_chars - len(best.span.text) - 4
        want_list = types.is_list_question(query.text)
        items = self._list_after(best, budget)
        chosen += items  # a sentence that introduces a list is answered by the list
        for s in ranked[1:] if not items else []:
            if len(chosen) == MAX_SENTENCES:
                break
            if len(s.span.text) + 5 > budget or _overlaps(s, chosen):
                continue
            adds = bool(set(s.matched) - covered) or _near(s, best)
            close = s.score >= FOLLOWER_RATIO * best.score
            lists = want_list and types.has_enumeration(s.span.text) and bool(s.matched) \
                and not types.has_enumeration(best.span.text) and s.score >= 0.5 * best.score
            if (close and adds) or lists:
                chosen.append(s)
                covered |= set(s.matched)
                budget -= len(s.span.text) + 5
        # Sentences of one document read in the document's order; documents in the order they were chosen.
        order = {doc: n for n, doc in enumerate(dict.fromkeys(c.hit.doc_id for c in chosen))}
        return sorted(chosen, key=lambda c: (order[c.hit.doc_id], c.position))

    def _list_after(self, best: Scored, budget: int) -> list[Scored]:
        """The items of the list the sentence introduces ("…four key pillars:" then "• Prevention",
        …), in order, as many as the answer has room for."""
        if not best.span.text.endswith(":"):
            return []
        split = self._split(best.hit.doc_id)
        items = []
        for j in range(best.position + 1, len(split.spans)):
            span = split.spans[j]
            if not _LIST_ITEM.match(span.text) or len(span.text) + 5 > budget:
                break
            items.append(Scored(best.hit, best.rank, span, {}, best.score, best.evidence, j, split.paragraphs[j]))
            budget -= len(span.text) + 5
        return items

    def _fit(self, s: Scored) -> Scored:
        """A sentence longer than the answer may be is cut to its clauses that match most."""
        room = self.max_chars - 7  # the marker and the "…" of a cut
        if len(s.span.text) <= room:
            return s
        clauses = _clauses(s.span)
        best_window, best_value = None, (-1.0, 0)
        for i in range(len(clauses)):
            for j in range(i, len(clauses)):
                start, end = clauses[i].start, clauses[j].end
                if end - start > room:
                    break
                # The most matched words in the fewest characters: concise, not the whole passage.
                value = (sum(s.matched.get(w, 0) for w in s.matched if _contains(s, start, end, w)), start - end)
                if value > best_value:
                    best_window, best_value = (start, end), value
        if best_window is None:
            best_window = (s.span.start, s.span.start + room)
        else:  # an enumeration the window began goes on to its end: the items are often the answer
            following = [c for c in clauses if c.start >= best_window[1]]
            for clause in following:
                if not _ITEM_CLAUSE.match(clause.text) or clause.end - best_window[0] > room:
                    break
                best_window = (best_window[0], clause.end)
        offset = best_window[0] - s.span.start
        text = s.span.text[offset: offset + best_window[1] - best_window[0]].rstrip(" ,;:")
        return Scored(s.hit, s.rank, Span(best_window[0], best_window[0] + len(text), text),
                      s.matched, s.score, s.evidence, s.position, s.paragraph, trimmed=True)


def _match(groups: list[TermGroup], stem_set: frozenset[str], prefix_set: frozenset[str]) -> dict[str, float]:
    """group word -> 1.0 for a stem match, PREFIX_CREDIT for a cross-language prefix match."""
    out = {}
    for g in groups:
        if g.matches_stems(stem_set):
            out[g.word] = 1.0
        elif g.prefixes & prefix_set:
            out[g.word] = PREFIX_CREDIT
    return out


def _near(s: Scored, best: Scored) -> bool:
    """Within NEIGHBOURHOOD sentences in the same paragraph: past a blank line another subject may begin."""
    return (s.hit.doc_id == best.hit.doc_id and s.paragraph == best.paragraph
            and abs(s.position - best.position) <= NEIGHBOURHOOD)


def _overlaps(s: Scored, chosen: list[Scored]) -> bool:
    return any(c.hit.doc_id == s.hit.doc_id and c.span.start < s.span.end and s.span.start < c.span.end
               for c in chosen)


_CLAUSE_END = re.compile(r"[,;:]\s+")
# A clause that is one more item of an enumeration: a name or a number, short ("Colombia,",
# "Buenos Aires Argentina and Santa Cruz Bolivia,"), not a relative clause ("from which…").
_ITEM_CLAUSE = re.compile(r"(?=.{1,80}$)[A-ZÁÉÍÓÚÑÇ0-9]", re.DOTALL)
_LIST_ITEM = re.compile(r"(?:•|[-*]|\d{1,3}[.)]|[a-z][.)])\s")  # "• x" (rendered Markdown), "- x", "1. x", "a) x"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _clauses(span: Span) -> list[Span]:
    out, begin = [], 0
    for m in _CLAUSE_END.finditer(span.text):
        out.append(Span(span.start + begin, span.start + m.start() + 1, span.text[begin:m.start() + 1]))
        begin = m.end()
    out.append(Span(span.start + begin, span.end, span.text[begin:]))
    return out


def _contains(s: Scored, start: int, end: int, word: str) -> bool:
    offset = start - s.span.start
    return word in words(s.span.text[offset: offset + end - start])


def bm25_idf(document_count: int, frequency: int) -> float:
    return math.log(1 + (document_count - frequency + 0.5) / (frequency + 0.5))
