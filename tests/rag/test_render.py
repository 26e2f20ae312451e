"""The CLI's text output: answers with their citations and machine translations, evaluation reports."""

from __future__ import annotations

import textwrap

import pytest

from rag import render
from rag.schema import Answer, Citation

QUOTE = "TRACK4TIP is implemented by the United Nations Office on Drugs and Crime (UNODC)."


def cited(language: str = "en", gloss: str | None = None, doc_language: str = "en") -> Citation:
    return Citation("b9f693a16cb595d1", "004_3859dbde07010b13.txt", 3759, 3759 + len(QUOTE), QUOTE, 1.02,
                    language=doc_language, gloss=gloss)


def test_an_answer_without_gloss_is_printed_as_before():
    a = Answer("Who implements TRACK4TIP?", f"{QUOTE} [1]", True, "en", [cited()], took_ms=9.8,
               conversation_id="c0ffee")
    assert render.answer(a).splitlines() == [
        f"{QUOTE} [1]",
        f"  [1] 004_3859dbde07010b13.txt 3759-{3759 + len(QUOTE)}  “{QUOTE}”",
        "  (en, 10 ms; continue with --conversation c0ffee)",
    ]
    assert "machine translation" not in render.answer(a)


@pytest.mark.parametrize("language, label, hint, gloss", [
    ("es", "traducción automática", "continúe con",
     "TRACK4TIP es implementado por la Oficina de las Naciones Unidas contra la Droga y el Delito (UNODC)."),
    ("pt", "tradução automática", "continue com",
     "TRACK4TIP é implementado pelo Escritório das Nações Unidas sobre Drogas e Crime (UNODC)."),
])
def test_glosses_are_printed_under_what_they_translate_labelled_in_the_answers_language(language, label, hint,
                                                                                         gloss):
    a = Answer("¿Quién?", f"{QUOTE} [1]", True, language, [cited(language, gloss)], took_ms=12,
               conversation_id="c0ffee", answer_gloss=f"{gloss} [1]")
    lines = render.answer(a).splitlines()
    assert lines[0] == f"{QUOTE} [1]"  # the answer itself first, unchanged
    at = next(i for i, line in enumerate(lines) if line.startswith("  [1]"))
    assert lines[1].startswith(f"  {label}: “")  # the answer's gloss under it, whole, wrapped at 100
    assert " ".join(line.strip() for line in lines[1:at]) == f"{label}: “{gloss} [1]”"
    assert all(len(line) <= 100 for line in lines[1:at])
    assert lines[at].endswith(f"“{QUOTE}”")  # the quote unchanged
    assert lines[at + 1].startswith(f"      {label}: “") and lines[at + 1].endswith("”")
    assert lines[at + 1].strip() == f"{label}: “{textwrap.shorten(gloss, 90)}”"  # shortened like the quote
    assert lines[-1] == f"  ({language}, 12 ms; {hint} --conversation c0ffee)"


def test_only_glossed_citations_get_a_translation_line():
    citations = [cited("es", "La UNODC lo implementa."), Citation("d2", "es_nota.md", 0, 9, "Lo dijo.", 0.8,
                                                                   language="es")]
    a = Answer("¿Quién?", f"{QUOTE} [1] Lo dijo. [2]", True, "es", citations, conversation_id="c1",
               answer_gloss="La UNODC lo implementa. [1] Lo dijo. [2]")
    lines = render.answer(a).splitlines()
    assert [line.split(":")[0].strip() for line in lines if "traducción automática:" in line] == \
        ["traducción automática"] * 2  # the answer's and the first citation's
    second = next(i for i, line in enumerate(lines) if line.startswith("  [2]"))
    assert lines[second + 1].startswith("  (es,")


def test_a_long_gloss_is_shortened_like_the_quote():
    a = Answer("q", "x [1]", True, "es", [cited("es", "palabra " * 100)], conversation_id="c")
    line = next(line for line in render.answer(a).splitlines() if "traducción automática" in line)
    assert len(line) <= 6 + len("traducción automática: “”") + 90 and "[...]" in line


def test_a_not_found_answer_in_portuguese():
    a = Answer("Qual?", "Não encontrado nos documentos.", False, "pt", [], conversation_id="c2")
    assert render.answer(a).splitlines() == ["Não encontrado nos documentos.",
                                             "  (pt, 0 ms; continue com --conversation c2)"]
