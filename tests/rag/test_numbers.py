"""Numbers in a translation written the reader's way, in both directions."""

from __future__ import annotations

import pytest

from rag.numbers import localize_numbers


def test_english_numbers_are_written_as_spanish_and_portuguese_readers_write_them():
    assert localize_numbers("an estimated 16,000 species; 56.2% in 1,685", "es") == \
        "an estimated 16 000 species; 56,2 % in 1685"
    assert localize_numbers("17,786,419 people, 2.5 each, 63%", "pt") == "17.786.419 people, 2,5 each, 63%"


def test_spanish_and_portuguese_numbers_are_written_as_english_readers_write_them():
    assert localize_numbers("el 56,2 % de 711 988 habitantes; 500 000 más, 1 234,5", "en", "es") == \
        "el 56.2% de 711,988 habitantes; 500,000 más, 1,234.5"
    assert localize_numbers("17.786.419 pessoas, 2,5 cada, 63%", "en", "pt") == "17,786,419 pessoas, 2.5 cada, 63%"


def test_ordinals_are_written_the_readers_way_and_degrees_stay_degrees():
    assert localize_numbers("el 21st siglo, la 2nd reunión, a 30 °C", "es") == "el 21.º siglo, la 2.º reunión, a 30 °C"
    assert localize_numbers("o 21st século", "pt") == "o 21º século"
    assert localize_numbers("the 21.º century, the 2.ª meeting, the 11º, 112º, 3º; 4.° millennium, 30 °C", "en", "es") \
        == "the 21st century, the 2nd meeting, the 11th, 112th, 3rd; 4.° millennium, 30 °C"


def test_a_spanish_number_that_reads_two_ways_is_left_alone():
    # "1.500" and "1,500": a thousand and a half in much of Latin America, one and a half in Spain.
    assert localize_numbers("1.500 o 1,500 personas", "en", "es") == "1.500 o 1,500 personas"
    assert localize_numbers("2,75 metros", "en", "es") == "2.75 metros"


@pytest.mark.parametrize(("text", "target", "source"), [
    ("MPEG-2 at 192.168.0.1 and 4.0.1", "es", "en"),
    ("versão 192.168.0.1, 4.0.1", "en", "pt"),
    ("16,000", "en", "en"),
    ("16.000 e 2,5", "es", "pt"),  # both write the decimal comma: nothing to change
    ("Article 3,000 TRACK4TIP", "en", "de"),
])
def test_what_is_not_a_number_to_rewrite_is_left_alone(text, target, source):
    assert localize_numbers(text, target, source) == text
