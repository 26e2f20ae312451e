"""Dates rewritten in the order their reader writes them, before translation."""

from __future__ import annotations

import pytest

from rag.dates import date_rewrites


def rewritten(text: str, source: str, target: str) -> list[tuple[str, str]]:
    return [(text[start:end], new) for start, end, new in date_rewrites(text, source, target)]


def test_spanish_and_portuguese_dates_read_as_english_ones():
    text = "Hace 6 de octubre de 1973 atacó; en noviembre de 1347 llegó; hasta 3 de marzo; del 1 de mayo del 2020."
    assert rewritten(text, "es", "en") == [("6 de octubre de 1973", "October 6, 1973"),
                                           ("noviembre de 1347", "November 1347"), ("3 de marzo", "March 3"),
                                           ("1 de mayo del 2020", "May 1, 2020")]
    assert rewritten("Até 6 de outubro de 1973 e em março de 2020; 9 de setiembre", "pt", "en") == [
        ("6 de outubro de 1973", "October 6, 1973"), ("março de 2020", "March 2020")]
    assert rewritten("el 9 de setiembre", "es", "en") == [("el 9 de setiembre", "on September 9")]


def test_english_dates_read_as_spanish_and_portuguese_ones():
    text = "By October 6, 1973, in November 1347, until March 3, after 3rd March 2019."
    assert rewritten(text, "en", "es") == [("October 6, 1973", "6 de octubre de 1973"),
                                           ("November 1347", "noviembre de 1347"), ("March 3", "3 de marzo"),
                                           ("3rd March 2019", "3 de marzo de 2019")]
    assert rewritten("on March 3, 2019", "en", "pt") == [("on March 3, 2019", "em 3 de março de 2019")]


def test_the_word_that_puts_a_day_in_time_goes_with_it():
    assert rewritten("On March 3 it ended; on 3rd March 2019", "en", "es") == [
        ("On March 3", "El 3 de marzo"), ("on 3rd March 2019", "el 3 de marzo de 2019")]
    assert rewritten("El 6 de octubre de 1973", "es", "en") == [("El 6 de octubre de 1973", "On October 6, 1973")]
    assert rewritten("em 6 de outubro", "pt", "es") == [("em 6 de outubro", "el 6 de octubre")]


def test_decades_read_the_readers_way_but_a_century_is_left_alone():
    assert rewritten("in the 1950s and the 1500s", "en", "es") == [("the 1950s", "la década de 1950")]
    assert rewritten("en la década de 1960", "es", "en") == [("la década de 1960", "the 1960s")]
    assert rewritten("na década de 1970", "pt", "en") == [("década de 1970", "the 1970s")]
    assert rewritten("the 1980s", "en", "pt") == [("the 1980s", "a década de 1980")]


@pytest.mark.parametrize(("text", "source", "target"), [
    ("You may 5 times try; the march 3 miles long", "en", "es"),  # a verb and a noun, not months
    ("On October 6, 1973", "en", "en"),
    ("El 6 de octubre de 1973", "es", "de"),
])
def test_what_is_not_a_date_to_rewrite_is_left_alone(text, source, target):
    assert date_rewrites(text, source, target) == []
