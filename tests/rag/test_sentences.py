"""rag.sentences: sentence spans with exact offsets, not fooled by abbreviations, initials or numbers."""

from __future__ import annotations

import random

import pytest

from rag.sentences import split_sentences


def texts(text: str, start: int = 0, end: int | None = None) -> list[str]:
    spans = split_sentences(text, start, end)
    for span in spans:  # every span is an exact, stripped slice of the text
        assert text[span.start:span.end] == span.text == span.text.strip()
        assert span.text
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    return [s.text for s in spans]


@pytest.mark.parametrize("text,expected", [
    ("One. Two? Three! Four", ["One.", "Two?", "Three!", "Four"]),
    ("Wow… really? Yes... fine.", ["Wow… really?", "Yes... fine."]),  # lower case goes on the sentence
    ('He said "go." She went.', ['He said "go."', "She went."]),
    ("(It ended.) Then more.", ["(It ended.)", "Then more."]),
    ("«Basta.» Dijo él.", ["«Basta.»", "Dijo él."]),
    ("¿Quién vino? ¡Nadie! Así fue.", ["¿Quién vino?", "¡Nadie!", "Así fue."]),
    ("Quem veio? Ninguém. Foi assim.", ["Quem veio?", "Ninguém.", "Foi assim."]),
])
def test_sentence_ends(text, expected):
    assert texts(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Dr. Smith met Mrs. Jones. They talked.", ["Dr. Smith met Mrs. Jones.", "They talked."]),
    ("El Sr. Pérez y la Sra. Gómez llegaron. Luego salieron.", ["El Sr. Pérez y la Sra. Gómez llegaron.",
                                                                "Luego salieron."]),
    ("See art. 5 and fig. 3 of vol. 2 (p. 10). Done.", ["See art. 5 and fig. 3 of vol. 2 (p. 10).", "Done."]),
    ("Many bodies, e.g. courts, i.e. judges, etc. agreed. Next.", ["Many bodies, e.g. courts, i.e. judges, etc. agreed.",
                                                                  "Next."]),
    ("Held in the U.S. and EE.UU. in Jan. 2020. Next.", ["Held in the U.S. and EE.UU. in Jan. 2020.", "Next."]),
    ("Acme Inc. and Foo Ltd. signed. Next.", ["Acme Inc. and Foo Ltd. signed.", "Next."]),
    ("Viven en EE. UU. desde 1990. Luego no.", ["Viven en EE. UU. desde 1990.", "Luego no."]),
    ("Jacques Lefevre (c. 1455-1536) taught. It uses approx. 4 kg.", ["Jacques Lefevre (c. 1455-1536) taught.",
                                                                  "It uses approx. 4 kg."]),
])
def test_abbreviations_do_not_end_sentences(text, expected):
    assert texts(text) == expected


def test_initials_and_dotted_acronyms_do_not_end_sentences():
    assert texts("The report by J. Abbott was read. It was long.") == ["The report by J. Abbott was read.",
                                                                       "It was long."]
    assert texts("The A.I.A.M.P. met in Lima. Then it ended.") == ["The A.I.A.M.P. met in Lima.",
                                                                  "Then it ended."]
    # A word that merely ends the sentence still ends it.
    assert texts("They met in LIMA. Then it ended.") == ["They met in LIMA.", "Then it ended."]


def test_a_sentence_does_not_begin_in_lower_case():
    # An unknown abbreviation ("et al.", "d.C.") or an elision ("…in Congress... as well as") is
    # followed by lower case; a new sentence is not. A line break still ends a line.
    assert texts("Studies by Jones et al. have shown it. Then more.") == ["Studies by Jones et al. have shown it.",
                                                                         "Then more."]
    assert texts("“The bill, now in Congress... as well as the rest.” Done.") == [
        "“The bill, now in Congress... as well as the rest.”", "Done."]
    assert texts("Un Buda del 750 d.C. y otros objetos. Fin.") == ["Un Buda del 750 d.C. y otros objetos.", "Fin."]
    assert texts("A heading.\nlower case line") == ["A heading.", "lower case line"]


def test_numbers_and_dotted_names_are_not_cut():
    assert texts("It cost $3.50 for 2.5 kg. The site example.org was up.") == [
        "It cost $3.50 for 2.5 kg.", "The site example.org was up."]


def test_lines_and_paragraphs_end_sentences():
    text = "Title without a stop\nFirst line\r\nSecond line\n\n\n   Paragraph two.  \n"
    assert texts(text) == ["Title without a stop", "First line", "Second line", "Paragraph two."]


def test_offsets_of_a_region_are_into_the_whole_text():
    text = "Before. The region starts here. It has two sentences. After."
    start = text.index("The region")
    end = text.index(" After.")
    spans = split_sentences(text, start, end)
    assert [s.text for s in spans] == ["The region starts here.", "It has two sentences."]
    assert spans[0].start == start and spans[-1].end == end
    # A region cut mid-sentence yields the part inside it.
    assert texts(text, text.index("starts"), text.index("two")) == ["starts here.", "It has"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "...", "?!"])
def test_nothing_or_only_punctuation(text):
    assert texts(text) in ([], [text.strip()])


def test_random_text_spans_are_exact_and_cover_every_word():
    r = random.Random(3)
    pieces = ["Dr.", "J.", "U.S.", "3.5", "word", "palavra", "niño", ".", "?", "!", "…", "\n", "\n\n", '"', "»",
              " ", " ", " ", "etc.", "A.B.C."]
    for _ in range(200):
        text = "".join(r.choice(pieces) + r.choice(["", " "]) for _ in range(r.randint(0, 60)))
        spans = split_sentences(text)
        covered = set()
        for span in spans:
            assert text[span.start:span.end] == span.text == span.text.strip()
            covered.update(range(span.start, span.end))
        assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
        assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
