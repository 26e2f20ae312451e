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


def test_a_heading_from_another_document_does_not_join_however_likely():
    asked = question("Which minister announced the offensive?")
    best = scored(0, 0.7, likelihood=0.6)
    other = DocumentSentences("IOM Trains Officials to Combat Smuggling\n\nThe course ran for a week.\n")
    heading = replace(scored(0, 0.6, likelihood=0.3), hit=Hit(2, "d2", "d2.txt", 0, 40, "", "en", 1.0, 0.8, None),
                      span=other.spans[0], paragraph=0)
    assert types.is_heading(heading.span.text)
    chosen = selector().select(asked, [best, heading])
    assert [(s.hit.doc_id, s.position) for s in chosen] == [("d1", 0)]


def test_without_a_likelihood_followers_join_on_words():
    asked = question("Where did the network led by Ana Ribeiro move migrants?")
    best = scored(0, 0.7)
    close = replace(scored(2, 0.6), matched={"operation": 1.0, "tacna": 1.0})  # close, stands, adds a word
    far = scored(1, 0.3)
    assert [s.position for s in selector().select(asked, [best, close, far])] == [0, 2]


def test_may_follow_is_what_the_likelihood_rule_lets_join():
    asked = question("Where did the network led by Ana Ribeiro move migrants?")
    best = scored(0, 0.7)
    standing = scored(2, 0.6)  # another paragraph, but it stands on its own
    weak = replace(scored(1, 0.3), evidence=0.2)  # another paragraph, under the bar
    assert selector().may_follow(asked, best)(standing)
    assert not selector().may_follow(asked, best)(weak)
    assert not selector().may_follow(asked, best)(best)  # it overlaps the best one
    narrow = Selector(sentences=lambda doc_id: DOCUMENT, stands=lambda s, q: True, max_chars=len(best.span.text) + 20)
    assert not narrow.may_follow(asked, best)(standing)  # no room left for it
