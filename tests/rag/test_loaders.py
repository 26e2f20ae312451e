"""rag.loaders: each text format read from real files, and what every format refuses alike."""

from __future__ import annotations

import pytest
from reading import load, refused

from rag.loaders import SUPPORTED, BadFile, ContentLimits, Extracted, extract
from rag.sources import SourceFile

# --- plain text keeps every character ---------------------------------------------------------

EXACT_TEXTS = {
    "crlf.txt": "Line one.\r\nLine two.\r\n\r\nAfter a blank line.\r\n",
    "spaces.txt": "  leading spaces\n\ttabbed\ntrailing spaces   \n\n\n\nmany blank lines\n",
    "accents.txt": "Ministério Público — investigação; niño, ação, façade, Ελληνικά, 漢字 😀\n",
    "bom.txt": "\ufeffStarts with a byte-order mark.",
    "no_newline.txt": "No newline at the end",
}


@pytest.mark.parametrize("name", sorted(EXACT_TEXTS))
def test_txt_is_the_file_decoded_as_utf8_with_nothing_changed_but_a_byte_order_mark(files, name):
    path = files.text(name, EXACT_TEXTS[name])
    kind, text = load(path)
    assert kind == path.suffix[1:]
    # A byte-order mark is not text: kept, it would open the first quote with an invisible character.
    assert text == path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    assert text == EXACT_TEXTS[name].removeprefix("\ufeff")


def test_md_is_stored_as_the_text_it_renders_to(files):
    source = ("---\nsource_url: https://x.y/z\n---\n# Title\n\n* item **bold** and _em_\n\n"
              "```\ncode  block\n```\n[link](http://x.y)\n")
    kind, text = load(files.text("notes.md", source))
    assert kind == "md"
    assert text == "Title\n\n• item bold and em\n\ncode  block\n\nlink\n"


def test_suffix_is_case_insensitive(files):
    assert load(files.text("UPPER.TXT", "Upper case name.")) == ("txt", "Upper case name.")
    assert load(files.text("Notes.Md", "# Notes")) == ("md", "Notes\n")


# --- html ---------------------------------------------------------------------------------------


def test_html_keeps_visible_text_in_blocks_without_markup(files):
    path = files.html(
        "page.html", "Informe anual",
        "<!-- a comment --><h1>Trata de personas</h1>"
        "<p>The <b>prosecutor</b> met&nbsp;the <a href='#'>minister</a> &amp; the police.</p>"
        "<ul><li>First item</li><li>Second item</li></ul>"
        "<table><tr><th>Name</th><th>Role</th></tr><tr><td>Ana</td><td>Fiscal</td></tr></table>"
        "<p>Line<br>break</p><noscript>enable js</noscript>",
    )
    kind, text = load(path)
    assert kind == "html"
    lines = text.split("\n")
    assert lines[:5] == ["Informe anual", "Trata de personas", "The prosecutor met the minister & the police.",
                         "First item", "Second item"]
    assert "Line" in lines and "break" in lines
    # Table cells stay separate words ("NameRole" would defeat search).
    assert "Name" in text and "Ana" in text and "NameRole" not in text and "AnaFiscal" not in text
    for hidden in ("<", "color: red", "script text", "a comment", "enable js", "DOCTYPE", "charset"):
        assert hidden not in text
    assert all(line == line.strip() and line for line in lines)


def test_htm_is_html(files):
    assert load(files.html("old.htm", "Old", "<p>Still read.</p>")) == ("html", "Old\nStill read.")


def test_html_not_utf8_is_refused(files):
    path = files.raw("latin.html", "<p>Ministério da Justiça</p>".encode("latin-1"))
    assert "not UTF-8" in refused(path)


def test_html_without_text_is_refused(files):
    assert "no text" in refused(files.html("empty.html", "", "<div><img src='x.png'></div>"))


# --- bad files ----------------------------------------------------------------------------------


def test_not_utf8_text_is_refused_naming_the_byte(files):
    path = files.raw("latin1.txt", "Ministério".encode("latin-1"))
    message = refused(path)
    assert "not UTF-8" in message and "position 6" in message and "save it as UTF-8" in message


def test_binary_text_file_is_refused(files):
    assert "NUL" in refused(files.raw("binary.txt", b"abc\x00def"))


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  "])
@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".pdf", ".docx"])
def test_empty_files_are_refused(files, suffix, content):
    assert refused(files.raw("empty" + suffix, content)) == "empty file"


@pytest.mark.parametrize("name", ["table.csv", "photo.gif", "README", "archive.tar.gz", "legacy.doc"])
def test_unsupported_types_are_refused_listing_the_supported_ones(files, name):
    message = refused(files.raw(name, b"some content"))
    assert message.startswith("unsupported type")
    assert all(suffix in message for suffix in SUPPORTED)
    if "." not in name:
        assert "no extension" in message


def test_in_memory_upload_is_read_like_a_file():
    assert extract(SourceFile("upload.md", None, b"# Uploaded\n")) == Extracted("md", "Uploaded\n")


def test_a_file_yielding_more_text_than_the_limit_is_refused_naming_the_setting():
    text = "Many words of a long report. " * 40
    file = SourceFile("long.txt", None, text.encode("utf-8"))
    assert extract(file, ContentLimits(max_text_chars=len(text))).text == text
    with pytest.raises(BadFile, match=r"more than the limit of 100 \(RAG_MAX_TEXT_CHARS\); split the file"):
        extract(file, ContentLimits(max_text_chars=100))
