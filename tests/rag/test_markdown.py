"""Markdown rendered to the plain text a reader sees: no markup ever reaches a quote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.markdown import render, strip_front_matter

REAL_DOCS = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "real_dev" / "docs"


def test_front_matter_is_dropped_in_both_styles():
    yaml = "---\nsource_url: https://leychile.cl/x?y=1\ntitulo: \"Ley\"\n---\n\n# Ley 20507\n\nTexto.\n"
    assert render(yaml) == "Ley 20507\n\nTexto.\n"
    assert render(yaml.replace("\n", "\r\n")) == "Ley 20507\n\nTexto.\n"  # written on Windows
    pelican = "Title: Argentina\nTemplate: case\nSlug: case-studies/argentina\n\nThe Argentine case.\n"
    assert render(pelican) == "The Argentine case.\n"
    # One "Key: value" line is text, not metadata.
    assert strip_front_matter("Note: the court met.\n\nMore.\n") == "Note: the court met.\n\nMore.\n"


def test_links_emphasis_code_images_and_html_give_way_to_their_text():
    source = ("See [Ley 26.364](http://servicios.infoleg.gob.ar/x) and **Descripción del contenido:** "
              "_vigente_, `art. 2`, ![escudo](e.png) and <b>negrita</b>.\n")
    assert render(source) == "See Ley 26.364 and Descripción del contenido: vigente, art. 2, escudo and negrita.\n"


def test_lists_keep_their_items_one_to_a_line_after_the_sentence_that_introduces_them():
    source = ("The Declaration is organized around four key pillars:\n\n- **Prevention**\n- Protection\n"
              "- Prosecution\n- Partnership\n\n1. First\n2. Second\n")
    assert render(source) == ("The Declaration is organized around four key pillars:\n• Prevention\n• Protection\n"
                              "• Prosecution\n• Partnership\n\n1. First\n2. Second\n")


def test_table_rows_are_lines_of_cells():
    source = "| País | Casos |\n|---|---|\n| Chile | 12 |\n| Perú | 7 |\n"
    assert render(source) == "País; Casos\nChile; 12\nPerú; 7\n"


def test_wrapped_prose_joins_but_an_authors_line_breaks_stay():
    wrapped = ("The Argentine case demonstrates how controversial TIP legislation can be and\n"
               "that getting it passed is by no means easy, and it shows the inter-\n"
               "agency coordination.\n")
    assert render(wrapped) == ("The Argentine case demonstrates how controversial TIP legislation can be and "
                               "that getting it passed is by no means easy, and it shows the inter-agency "
                               "coordination.\n")
    law = "LEY NÚM. 20.507\nTIPIFICA LOS DELITOS\nArtículo 1.- Texto del artículo.\n"
    assert render(law) == law


@pytest.mark.parametrize("name", ["es_cl_ley_20507_trafico_migrantes_trata.md",
                                  "en_scorecard_diplomacy_argentina_case.md",
                                  "pt_slpg_portaria_1129_trabalho_escravo.md",
                                  "pt_abr_resgate_trabalho_escravo_2015.md"])
def test_real_documents_render_without_markup(name):
    path = REAL_DOCS / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    text = render(path.read_text("utf-8"))
    assert not re.search(r"\]\(|\*\*|^---|source_url|^(title|layout|date|author): |^#+ |^\s*[-*] |\|", text, re.M)
    assert len(text) > 1000


def test_html_inside_markdown_is_read_as_an_html_file_is():
    source = "Before.\n\n<div>Some <b>html</b>\n<script>alert('x')</script><p>and a paragraph</p></div>\n\nAfter.\n"
    assert render(source) == "Before.\n\nSome html\nand a paragraph\n\nAfter.\n"
