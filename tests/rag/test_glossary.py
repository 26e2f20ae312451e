"""rag.glossary: the bundled en/es/pt glossary, a team's own file, and phrase matching in questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import InvalidInput
from rag.glossary import Concept, Glossary, parse


@pytest.fixture(scope="module")
def bundled() -> Glossary:
    return Glossary.load()


def test_parse_columns_alternatives_comments_and_blank_lines():
    text = ("# a comment\n\n   # an indented comment\n"
            "human trafficking | trafficking\ttrata de personas|trata\ttráfico de pessoas\n"
            "police\tpolicía\t\n")
    assert parse(text, "test") == [
        Concept({"en": ("human trafficking", "trafficking"), "es": ("trata de personas", "trata"),
                 "pt": ("tráfico de pessoas",)}),
        Concept({"en": ("police",), "es": ("policía",), "pt": ()}),
    ]


@pytest.mark.parametrize("line", ["only one column", "two\tcolumns", "four\tcolumns\tare\ttoo many"])
def test_parse_refuses_a_bad_line_naming_it(line):
    with pytest.raises(InvalidInput, match=r"my.tsv, line 3: expected three tab-separated columns"):
        parse(f"# header\na\tb\tc\n{line}\n", "my.tsv")


@pytest.mark.parametrize("question,phrase,expected", [
    ("Who leads the International Organization for Migration?", ("international", "organization", "migration"),
     {"IOM", "OIM", "Organización Internacional para las Migraciones"}),
    ("¿Qué hace la OIM?", ("oim",), {"International Organization for Migration", "IOM"}),
    ("O que faz o Ministério Público?", ("ministerio", "publico"), {"Public Prosecutor's Office", "Fiscalía"}),
    ("What does the Public Prosecutor's Office do?", ("public", "prosecutor", "office"),
     {"Ministerio Público", "Ministério Público", "Procuradoria"}),
    ("¿Cuál es el papel de la policía?", ("policia",), {"police", "polícia"}),
    ("Quantos migrantes?", ("migrantes",), {"migrant", "migrants", "migrante"}),
])
def test_a_phrase_in_any_language_brings_its_equivalents(bundled, question, phrase, expected):
    matches = dict(bundled.matches(question))
    assert phrase in matches
    assert expected <= set(matches[phrase])
    assert expected <= set(bundled.expand(question))


def test_matching_ignores_case_and_accents(bundled):
    assert bundled.expand("ORGANIZACION INTERNACIONAL PARA LAS MIGRACIONES") == bundled.expand(
        "Organización Internacional para las Migraciones")


def test_the_longest_phrase_wins_and_matches_do_not_overlap(bundled):
    matches = bundled.matches("Cooperation against human trafficking and migrant smuggling")
    phrases = [p for p, _ in matches]
    assert ("human", "trafficking") in phrases and ("migrant", "smuggling") in phrases
    assert ("trafficking",) not in phrases and ("smuggling",) not in phrases
    assert "trata de personas" in dict(matches)[("human", "trafficking")]


def test_expansion_has_no_duplicates_and_nothing_for_unknown_words(bundled):
    expanded = bundled.expand("trata de personas and human trafficking and trata")
    assert len(expanded) == len(set(expanded)) and "human trafficking" in expanded
    assert bundled.expand("zebra quokka") == [] and bundled.matches("") == []


def test_every_bundled_term_can_be_matched(bundled):
    from importlib import resources

    text = resources.files("rag").joinpath("data/glossary.tsv").read_text("utf-8")
    unmatched = [term for concept in parse(text, "bundled") for term in concept.all_terms()
                 if not bundled.matches(term)]
    assert unmatched == []


# --- a team's own glossary --------------------------------------------------------------------


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "team.tsv"
    path.write_bytes(data)
    return path


def test_a_teams_file_adds_its_terms_to_the_bundled_ones(tmp_path):
    extra = write(tmp_path, "# ours\nfield office|FO\toficina local\tescritório local\n".encode())
    glossary = Glossary.load(extra)
    assert set(glossary.expand("Where is the field office?")) == {"field office", "FO", "oficina local",
                                                                  "escritório local"}
    assert "OIM" in glossary.expand("IOM")  # the bundled terms are still there


def test_a_term_in_both_files_brings_the_equivalents_of_both(tmp_path):
    extra = write(tmp_path, "IOM\tla organización\ta organização\n".encode())
    expanded = Glossary.load(extra).expand("IOM")
    assert {"OIM", "la organización", "a organização"} <= set(expanded)


def test_a_teams_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    extra = write(tmp_path, "\ufeff# saved by Notepad\nfield office\toficina local\tescritório local\r\n".encode())
    assert "oficina local" in Glossary.load(extra).expand("field office")


def test_a_teams_file_not_in_utf8_is_refused_clearly(tmp_path):
    extra = write(tmp_path, "café\tcafé\tcafé\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match="not UTF-8.*save it as UTF-8"):
        Glossary.load(extra)


def test_a_missing_teams_file_is_refused_clearly(tmp_path):
    with pytest.raises(InvalidInput, match="cannot read the glossary .*RAG_GLOSSARY_PATH"):
        Glossary.load(tmp_path / "missing.tsv")


def test_a_bad_line_in_a_teams_file_names_the_file_and_line(tmp_path):
    extra = write(tmp_path, b"ok\tok\tok\nbroken line\n")
    with pytest.raises(InvalidInput, match=r"team.tsv, line 2"):
        Glossary.load(extra)


def test_an_empty_glossary_matches_nothing():
    assert Glossary([]).matches("human trafficking") == []
