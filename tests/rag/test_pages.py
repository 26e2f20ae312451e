"""Page numbers: a PDF's pages kept from extraction through the index to each citation."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from rag.cli import main
from rag.loaders import extract
from rag.pdf import join_pages
from rag.sources import SourceFile
from rag.schema import page_at

PAGES = [
    "The harbour authority published its annual report on shipping safety.",
    "The lighthouse on the northern cape was built by Margaret Ellison in 1874.",
    "The ferry to the island carries 900 passengers every summer day.",
]
ON_PAGE_2 = "Who built the lighthouse on the northern cape?"
ON_PAGE_3 = "How many passengers does the ferry to the island carry?"


def page_texts(data: bytes) -> list[str]:
    """Each page's text as pypdf reads it on its own, stripped as the document's text holds it."""
    return [(page.extract_text() or "").strip() for page in PdfReader(io.BytesIO(data)).pages]


def test_each_pages_span_holds_that_pages_text(files):
    path = files.pdf("report.pdf", PAGES)
    extracted = extract(SourceFile(path.name, path))
    assert extracted.kind == "pdf" and extracted.ocr_pages == ()
    assert len(extracted.pages) == 3
    for (start, end), alone in zip(extracted.pages, page_texts(path.read_bytes())):
        assert extracted.text[start:end] == alone
    # The pages cover the text: nothing lies outside them but the blank lines that join them.
    gaps = [extracted.text[a_end:b_start] for (_, a_end), (b_start, _) in zip(extracted.pages, extracted.pages[1:])]
    assert gaps == ["\n\n", "\n\n"]
    assert extracted.pages[0][0] == 0 and extracted.pages[-1][1] == len(extracted.text)


def test_a_page_without_text_keeps_its_number(files):
    path = files.pdf("gap.pdf", [PAGES[0], "", PAGES[2]])
    extracted = extract(SourceFile(path.name, path))
    (_, first_end), (blank_start, blank_end), (third_start, _) = extracted.pages
    assert blank_start == blank_end  # no text, but page 3 is still page 3
    assert extracted.text[third_start:].startswith("The ferry")
    assert page_at(extracted.pages, third_start) == 3


def test_formats_without_pages_have_none(files):
    path = files.text("notes.txt", "Plain notes.")
    assert extract(SourceFile(path.name, path)).pages == ()


def test_page_at_reads_an_offset_as_a_page():
    text, pages = join_pages(["", "first", "  ", "second  "])
    assert text == "first\n\nsecond"
    assert pages == ((0, 0), (0, 5), (5, 5), (7, 13))
    assert [page_at(pages, offset) for offset in (0, 4, 5, 7, 12, 13)] == [2, 2, None, 4, 4, None]
    assert page_at((), 0) is None


def test_citations_name_the_page_of_their_quote(make_engine, files, check):
    engine = make_engine()
    engine.ingest_paths([files.pdf("report.pdf", PAGES), files.text("notes.txt", "The lighthouse keeper "
                                                                    "lived on the northern cape for years.")])
    for question, page in ((ON_PAGE_2, 2), (ON_PAGE_3, 3)):
        answer = engine.ask(question)
        check.citations(engine, answer)
        cited = [c for c in answer.citations if c.source == "report.pdf"]
        assert cited and all(c.page == page for c in cited), answer
        assert all(c.page is None for c in answer.citations if c.source == "notes.txt")
    pdf = next(d for d in engine.documents() if d.source == "report.pdf")
    assert pdf.ocr_pages == ()
    spans = engine.index.pages(pdf.doc_id)
    text = engine.index.text(pdf.doc_id)
    assert [text[start:end] for start, end in spans] == page_texts((files.root / "report.pdf").read_bytes())


def test_a_text_citation_has_no_page(make_engine, files):
    engine = make_engine()
    engine.ingest_paths([files.text("notes.txt", "The lighthouse on the northern cape was built by "
                                                 "Margaret Ellison in 1874.")])
    answer = engine.ask(ON_PAGE_2)
    assert answer.found and [c.page for c in answer.citations] == [None]
    assert answer.to_dict()["citations"][0]["page"] is None


def test_an_index_built_before_pages_opens_with_no_pages(make_engine, files, index_dir, check):
    make_engine().ingest_paths([files.pdf("report.pdf", PAGES)])
    # What schema 2 looked like: documents without the page columns.
    with sqlite3.connect(index_dir / "index.sqlite") as db:
        db.execute("ALTER TABLE documents DROP COLUMN pages")
        db.execute("ALTER TABLE documents DROP COLUMN ocr_pages")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    engine = make_engine()
    check.consistent(engine)
    (info,) = engine.documents()
    assert info.ocr_pages == () and engine.index.pages(info.doc_id) == ()
    answer = engine.ask(ON_PAGE_2)
    assert answer.found and all(c.page is None for c in answer.citations)
    assert engine.index.store.meta("schema") == "5"  # through 3 and 4, with its documents in the default collection
    assert info.collection == "default"
    # A file added again (here with new text) is read with its pages.
    engine.ingest_paths([files.pdf("report.pdf", [*PAGES, "A fourth page."])])
    assert [c.page for c in engine.ask(ON_PAGE_2).citations] == [2]


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "hash")


def test_the_cli_shows_the_page(cli_env, files):
    runner = CliRunner()
    path = files.pdf("report.pdf", PAGES)
    assert runner.invoke(main, ["ingest", str(path)], catch_exceptions=False).exit_code == 0
    text = runner.invoke(main, ["ask", ON_PAGE_2], catch_exceptions=False).stdout
    assert "  [1] report.pdf p. 2 " in text, text
    answer = json.loads(runner.invoke(main, ["ask", ON_PAGE_2, "--json"], catch_exceptions=False).stdout)
    assert [c["page"] for c in answer["citations"]] == [2]
    docs = json.loads(runner.invoke(main, ["docs", "--json"], catch_exceptions=False).stdout)
    assert [d["ocr_pages"] for d in docs] == [[]]
