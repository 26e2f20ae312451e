"""Follow-ups resolved through the subject of the turn before."""

from __future__ import annotations

import pytest

from rag.conversations import Turn
from rag.followup import entities, refers_back, search_text, subject_of


@pytest.mark.parametrize("question, found", [
    ("Who is Jorge Abbott?", ["Jorge", "Abbott"]),
    ("What is REDTRAM?", ["REDTRAM"]),
    ("Which countries are in TRACK4TIP?", ["TRACK4TIP"]),
    ("Quem implementa o programa EL PAcCTO?", ["EL", "PAcCTO"]),
    ("How many representatives met in 2021?", ["2021"]),
    ("Which association did he preside over?", []),
    ("¿y quién lo financia?", []),
])
def test_entities(question, found):
    assert entities(question) == found


@pytest.mark.parametrize("question, back", [
    ("What did she announce?", True),
    ("Who funds that network?", True),
    ("Which UN office facilitated its annual meetings?", True),
    ("¿Qué hizo él después?", True),
    ("Quem é ele?", True),
    ("Quem implementa o programa EL PAcCTO?", False),  # "EL" is an article, not "él"
    ("Who is Gaby Coca?", False),
])
def test_refers_back(question, back):
    assert refers_back(question) is back


HISTORY = [Turn("Which countries are in TRACK4TIP?", "TRACK4TIP", "…", True)]


@pytest.mark.parametrize("question, expected", [
    ("¿y quién lo financia?", "¿y quién lo financia? (TRACK4TIP)"),
    ("Who implements it?", "Who implements it? (TRACK4TIP)"),
    ("Who is Gaby Coca?", "Who is Gaby Coca?"),  # a new subject: nothing carried
])
def test_search_text_carries_the_subject_to_follow_ups(question, expected):
    assert search_text(question, HISTORY) == expected


def test_the_subject_is_inherited_through_a_chain_of_follow_ups():
    second = subject_of("Who implements it?", HISTORY)
    assert second == "TRACK4TIP"
    third = HISTORY + [Turn("Who implements it?", second, "…", True)]
    assert search_text("And who funds it?", third) == "And who funds it? (TRACK4TIP)"


def test_a_first_question_is_searched_as_asked():
    assert search_text("Who implements it?", []) == "Who implements it?"
