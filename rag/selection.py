"""Which scored sentences make the answer: the best one, cut to fit when it is long, and the few
that add to it, or the list it introduces."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import answer_types as types
from .analysis import words
from .query import Query
from .schema import Hit
from .sentences import DocumentSentences, Span

MAX_SENTENCES = 3
# A further sentence joins the answer only when it scores close to the best one, and either sits
# within NEIGHBOURHOOD sentences of the best one, in its paragraph (the answer often follows the
# sentence that names its subject), or matches a question word the answer lacks and would stand
# as an answer on its own.
FOLLOWER_RATIO = 0.6
# Where meaning has weighed the sentences, one joins when it is at least this likely, relative to the
# best one, to hold the answer: on XQuAD articles 0-23 the largest share that keeps the median answer
# within a tenth of its length on words alone (0.01 lengthens it by a sixth).
FOLLOWER_LIKELIHOOD = 0.02
NEIGHBOURHOOD = 2
MARKER_CHARS = 4  # " [n]"
BESIDE_DISCOUNT = 1e-3


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
    fits: bool = False  # holds the kind of thing asked for (a number for "how many")
    likelihood: float | None = None  # of holding the answer, once meaning is read too (rag/likelihood.py)
    trimmed: bool = False  # cut to its best clauses: the answer marks the cut with "…"


class Selector:
    def __init__(self, *, sentences: Callable[[str], DocumentSentences], stands: Callable[[Scored, Query], bool],
                 max_chars: int) -> None:
        self.sentences = sentences
        self.stands = stands
        self.max_chars = max_chars

    def select(self, query: Query, ranked: list[Scored]) -> list[Scored]:
        """The answer's sentences, in reading order, from candidates ranked best first."""
        best = self._fit(ranked[0])
        chosen = [best]
        covered = set(best.matched)
        budget = self.max_chars - len(best.span.text) - MARKER_CHARS
        items = self._list_after(best, budget)
        chosen += items  # a sentence that introduces a list is answered by the list
        referred = None if items else self._referred(best, budget)
        if referred is not None:  # "These devices…", "All of this…": what they refer to comes first
            chosen.append(referred)
            covered |= set(referred.matched)
            budget -= len(referred.span.text) + MARKER_CHARS + 1
        for s in ranked[1:] if not items else []:
            if len(chosen) == MAX_SENTENCES:
                break
            if len(s.span.text) + MARKER_CHARS + 1 > budget or _overlaps(s, chosen):
                continue
            if best.likelihood is None:
                adds = _near(s, best) or (bool(set(s.matched) - covered) and self.stands(s, query))
                close = s.score >= FOLLOWER_RATIO * best.score
            else:
                adds = self._may_join(query, best, s)
                close = s.likelihood is not None and s.likelihood >= FOLLOWER_LIKELIHOOD * best.likelihood
            lists = query.wants_list and types.has_enumeration(s.span.text) and bool(s.matched) \
                and not types.has_enumeration(best.span.text) and s.score >= 0.5 * best.score
            if (close and adds) or lists:
                chosen.append(s)
                covered |= set(s.matched)
                budget -= len(s.span.text) + MARKER_CHARS + 1
        # Sentences of one document read in the document's order; documents in the order they were chosen.
        order = {doc: n for n, doc in enumerate(dict.fromkeys(c.hit.doc_id for c in chosen))}
        return sorted(chosen, key=lambda c: (order[c.hit.doc_id], c.position))

    def may_follow(self, query: Query, best: Scored) -> Callable[[Scored], bool]:
        """Whether a sentence could join an answer that `best` leads, however likely it is to hold
        the answer: the sentences whose likelihood is worth weighing (rag/meaning.py). The best
        one's cut, its room and its list are worked out once, not once per sentence asked about."""
        best = self._fit(best)
        budget = self.max_chars - len(best.span.text) - MARKER_CHARS
        if self._list_after(best, budget):  # a list answers it: nothing else joins
            return lambda s: False
        return lambda s: (len(s.span.text) + MARKER_CHARS + 1 <= budget and not _overlaps(s, [best])
                          and self._may_join(query, best, s))

    def _may_join(self, query: Query, best: Scored, s: Scored) -> bool:
        # A heading from elsewhere is a title, not an answer: it joins only beside the best one.
        return _near(s, best) or (self.stands(s, query) and not types.is_heading(s.span.text))

    def _list_after(self, best: Scored, budget: int) -> list[Scored]:
        """The items of the list the sentence introduces ("…four key pillars:" then "• Prevention",
        …), in order, as many as the answer has room for."""
        if not best.span.text.endswith(":"):
            return []
        document = self.sentences(best.hit.doc_id)
        items = []
        for j in range(best.position + 1, len(document.spans)):
            span = document.spans[j]
            if not types.is_list_item(span.text) or len(span.text) + MARKER_CHARS + 1 > budget:
                break
            items.append(_beside(best, span, j, document))
            budget -= len(span.text) + MARKER_CHARS + 1
        return items

    def _referred(self, best: Scored, budget: int) -> Scored | None:
        """The sentence before the best one, in its paragraph, when the best one begins by referring
        back to it ("This…", "These devices…", "Estos…", "Isso…") and there is room for it."""
        if best.position == 0 or best.trimmed or not refers_back(best.span.text):
            return None
        document = self.sentences(best.hit.doc_id)
        j = best.position - 1
        span = document.spans[j]
        if document.paragraphs[j] != best.paragraph or len(span.text) + MARKER_CHARS + 1 > budget:
            return None
        return _beside(best, span, j, document)

    def _fit(self, s: Scored) -> Scored:
        """A sentence longer than the answer may be is cut to its clauses that match most."""
        room = self.max_chars - MARKER_CHARS - 3  # the marker and the " …" of a cut
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
        else:
            best_window = _grown(best_window, clauses, room)
        offset = best_window[0] - s.span.start
        text = s.span.text[offset: offset + best_window[1] - best_window[0]].rstrip(" ,;:")
        return replace(s, span=Span(best_window[0], best_window[0] + len(text), text), trimmed=True)


def _beside(best: Scored, span: Span, position: int, document: DocumentSentences) -> Scored:
    """A sentence quoted for the best one's sake (a list item it introduces, the sentence it refers
    to), scored just under it: the best sentence stays the answer's best-scored citation."""
    return replace(best, span=span, matched={}, score=best.score - BESIDE_DISCOUNT, position=position,
                   paragraph=document.paragraphs[position], trimmed=False)


def refers_back(sentence: str) -> bool:
    """Whether a sentence opens by pointing at the one before it ("This…", "These devices…", "It…")."""
    return bool(_REFERS_BACK.match(sentence))


def _grown(window: tuple[int, int], clauses: list[Span], room: int) -> tuple[int, int]:
    """The window of best clauses grown to the room there is. The question's own words are seldom the
    answer: it is in the clauses around them ("…, Van Nuys Airport, the world's busiest general
    aviation airport"). An enumeration the window began goes on to its end first: its items are
    often what was asked."""
    start, end = window
    for clause in (c for c in clauses if c.start >= end):
        if not _ITEM_CLAUSE.match(clause.text) or clause.end - start > room:
            break
        end = clause.end
    before = [c for c in clauses if c.end <= start][::-1]
    after = [c for c in clauses if c.start >= end]
    while before or after:  # the clause before first: it names the subject the window speaks of
        if before and end - before[0].start <= room:
            start = before.pop(0).start
        elif after and after[0].end - start <= room:
            end = after.pop(0).end
        else:
            break
    return start, end


def _near(s: Scored, best: Scored) -> bool:
    """Within NEIGHBOURHOOD sentences in the same paragraph: past a blank line another subject may begin."""
    return (s.hit.doc_id == best.hit.doc_id and s.paragraph == best.paragraph
            and abs(s.position - best.position) <= NEIGHBOURHOOD)


def _overlaps(s: Scored, chosen: list[Scored]) -> bool:
    return any(c.hit.doc_id == s.hit.doc_id and c.span.start < s.span.end and s.span.start < c.span.end
               for c in chosen)


# A sentence that opens by pointing at the one before it.
_REFERS_BACK = re.compile(
    r"\W*(?:\w+\s+){0,2}?(this|these|those|such|it|they|its|their|the latter|the former|esto|esta|este|estos|estas|"
    r"dicho|dicha|dichos|dichas|tal|tales|ello|ellos|ellas|isso|isto|esse|essa|esses|essas|estes|tais|eles|elas)\b",
    re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,;:]\s+")
# A clause that is one more item of an enumeration: a name or a number, short ("Colombia,",
# "Buenos Aires Argentina and Santa Cruz Bolivia,"), not a relative clause ("from which…").
_ITEM_CLAUSE = re.compile(r"(?=.{1,80}$)[A-ZÁÉÍÓÚÑÇ0-9]", re.DOTALL)


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
