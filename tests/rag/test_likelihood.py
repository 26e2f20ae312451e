"""The likelihood that a sentence holds the answer (rag/likelihood.py), and the sentences it lets
join an answer (rag/selection.py)."""

from __future__ import annotations

from dataclasses import replace

from rag import answer_types as types
from rag.likelihood import answer_likelihood
from rag.query import Query
from rag.schema import Hit
from rag.selection import FOLLOWER_LIKELIHOOD, Scored, Selector
from rag.sentences import DocumentSentences

TEXT = ("Operation Dawn was led by prosecutor Ana Ribeiro in 2019.\n\n"
        "The weather in Tacna was mild that winter.\n\n"
        "The network had moved migrants through Tacna since 2015.\n")
DOCUMENT = DocumentSentences(TEXT)


def scored(position: int, score: float, *, fits: bool = False, dense: float = 0.8, likelihood=None) -> Scored:
    span = DOCUMENT.spans[position]
    hit = Hit(1, "d1", "d1.txt", 0, len(TEXT), TEXT, "en", 1.0, dense, None)
    return Scored(hit, 0, span, {"operation": 1.0}, score, score, position, DOCUMENT.paragraphs[position], fits,
                  likelihood=likelihood)


def question(text: str, expect: types.Expect = types.Expect.OTHER) -> Query:
    return Query(text, "en", [], [], expect=expect)


def test_a_closer_meaning_or_more_shared_words_make_a_sentence_likelier():
    asked = question("Who led Operation Dawn?")
    same = answer_likelihood(asked, [scored(0, 0.6), scored(1, 0.6)], [0.85, 0.80])
    assert same[0] > same[1]
    words = answer_likelihood(asked, [scored(0, 0.7), scored(1, 0.5)], [0.82, 0.82])
    assert words[0] > words[1]
    assert all(0.0 < p < 1.0 for p in same + words)


def test_the_similarity_weight_scales_how_much_meaning_counts():
    asked = question("Who led Operation Dawn?")
    ranked = [scored(0, 0.7), scored(1, 0.6)]
    # The second sentence shares fewer words but is closer in meaning: more weight on meaning, more likely.
    light = answer_likelihood(asked, ranked, [0.80, 0.86], weight=0.5)
    heavy = answer_likelihood(asked, ranked, [0.80, 0.86], weight=2.0)
    assert heavy[1] / heavy[0] > light[1] / light[0]


def selector() -> Selector:
    return Selector(sentences=lambda doc_id: DOCUMENT, stands=lambda s, q: s.evidence >= 0.45, max_chars=500)


def test_a_sentence_joins_when_it_is_likely_enough_next_to_the_best():
    asked = question("Where did the network led by Ana Ribeiro move migrants?")
    best = scored(0, 0.7, likelihood=0.6)
    likely = scored(2, 0.5, likelihood=0.6 * FOLLOWER_LIKELIHOOD + 0.01)
    unlikely = scored(1, 0.5, likelihood=0.6 * FOLLOWER_LIKELIHOOD - 0.01)
    chosen = selector().select(asked, [best, likely, unlikely])
    assert [s.position for s in chosen] == [0, 2]


def test_a_likely_sentence_that_would_not_stand_and_is_not_near_does_not_join():
    asked = question("Where did the network led by Ana Ribeiro move migrants?")
    best = scored(0, 0.7, likelihood=0.6)
    weak = replace(scored(2, 0.3, likelihood=0.5), evidence=0.2)  # another paragraph, under the bar
    assert [s.position for s in selector().select(asked, [best, weak])] == [0]
