"""rag.loaders: every supported format from real files, folders walked recursively, bad files refused."""

from __future__ import annotations

import io
import os
import threading
import zipfile
from pathlib import Path

import pytest

from rag.loaders import SUPPORTED, BadFile, ContentLimits, Extracted, SourceFile, discover, extract


def load(path: Path) -> tuple[str, str]:
    extracted = extract(SourceFile(path.name, path))
    return extracted.kind, extracted.text


def refused(path: Path) -> str:
    with pytest.raises(BadFile) as caught:
        load(path)
    return str(caught.value)


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


# --- pdf ----------------------------------------------------------------------------------------


def test_pdf_text_of_every_page(files):
    path = files.pdf("report.pdf", [
        "The National Prosecutor met the Minister of Justice in Santiago.",
        "Second page: 42 prosecutors were trained in 2021.",
    ])
    kind, text = load(path)
    assert kind == "pdf"
    first, second = text.split("\n\n")
    assert "National Prosecutor met the Minister of Justice in Santiago." in first
    assert "42 prosecutors were trained in 2021." in second


def test_a_pdf_without_text_is_read_by_ocr_and_refused_when_it_finds_none(files):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)  # a drawing, as in a scanned page: no text layer
    assert "no text found by OCR" in refused(files.raw("scan.pdf", bytes(pdf.output())))


def test_encrypted_pdf_is_refused(files):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="user")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Secret text")
    assert "encrypted PDF" in refused(files.raw("locked.pdf", bytes(pdf.output())))


def _corrupt_pdfs(good: bytes) -> dict[str, bytes]:
    return {
        "garbage": b"this is not a PDF at all, just text with a .pdf name",
        "header_only": b"%PDF-1.4\n",
        "truncated": good[: len(good) // 2],
        "no_xref": good.replace(b"startxref", b"startxrex"),
        # pypdf raises NotImplementedError here, which once escaped and aborted the whole ingest.
        "unknown_filter": good.replace(b"/FlateDecode", b"/FlateDecodX"),
    }


@pytest.mark.parametrize("case", ["garbage", "header_only", "truncated", "no_xref", "unknown_filter"])
def test_corrupt_pdf_is_refused_with_a_reason(files, case):
    good = files.pdf_bytes(["A perfectly good page of text about prosecutors."])
    assert b"/FlateDecode" in good
    message = refused(files.raw(f"{case}.pdf", _corrupt_pdfs(good)[case]))
    assert "corrupt PDF" in message or "no text could be extracted" in message


# --- docx ---------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables(files):
    path = files.docx(
        "minutes.docx",
        ["Minutes of the meeting", "", "The Fiscal Nacional opened the session.", "   "],
        table=[["Name", "Country"], ["Ana Pérez", "Chile"]],
    )
    kind, text = load(path)
    assert kind == "docx"
    assert text == ("Minutes of the meeting\n\nThe Fiscal Nacional opened the session.\n\n"
                    "Name | Country\n\nAna Pérez | Chile")


def _rezip(data: bytes, name: str, content: bytes | None) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
            elif content is not None:
                target.writestr(item, content)
    return out.getvalue()


@pytest.mark.parametrize("case", ["garbage", "truncated", "plain_zip", "no_document_part", "broken_xml",
                                  "broken_content_types"])
def test_corrupt_docx_is_refused_with_a_reason(files, case):
    good = files.docx_bytes(["Hello from a docx."])
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("readme.txt", "not a word document")
    data = {
        "garbage": b"PK not really a zip",
        "truncated": good[: len(good) // 2],
        "plain_zip": plain_zip.getvalue(),
        "no_document_part": _rezip(good, "word/document.xml", None),
        # lxml's XMLSyntaxError once escaped and aborted the whole ingest.
        "broken_xml": _rezip(good, "word/document.xml", b"<w:document><unclosed"),
        "broken_content_types": _rezip(good, "[Content_Types].xml", b"<<<"),
    }[case]
    assert "corrupt .docx" in refused(files.raw(f"{case}.docx", data))


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


def test_dangling_symlink_is_unreadable(files):
    link = files.path("gone.txt")
    link.symlink_to(files.root / "does-not-exist.txt")
    assert refused(link).startswith("unreadable:")


def test_fifo_is_refused_instead_of_blocking(files):
    fifo = files.path("pipe.txt")
    os.mkfifo(fifo)
    outcome: list[str] = []

    def read() -> None:
        try:
            load(fifo)
        except BadFile as exc:
            outcome.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert outcome == ["not a regular file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_permission_denied_is_unreadable(files):
    path = files.text("secret.txt", "Top secret.")
    path.chmod(0)
    try:
        assert refused(path) == "unreadable: permission denied"
    finally:
        path.chmod(0o644)


def test_in_memory_upload_is_read_like_a_file():
    assert extract(SourceFile("upload.md", None, b"# Uploaded\n")) == Extracted("md", "Uploaded\n")


# --- discover -----------------------------------------------------------------------------------


def test_folders_are_walked_recursively_with_relative_sources(files):
    for name in ["b.txt", "a.md", "sub/c.html", "sub/deeper/d.pdf", "sub/e.docx", "z/other.csv",
                 ".hidden.txt", ".git/config.txt", "sub/.cache/x.txt"]:
        files.raw(name, b"x")
    found = list(discover([files.root]))
    assert [f.source for f in found] == ["a.md", "b.txt", "sub/c.html", "sub/e.docx", "sub/deeper/d.pdf",
                                         "z/other.csv"]
    assert all(f.path == files.root / f.source for f in found)


def test_a_file_is_named_by_its_own_name_and_paths_mix(files):
    single = files.text("folder/inner/one.txt", "One.")
    other = files.text("two/two.md", "Two.")
    found = list(discover([single, other.parent]))
    assert [(f.source, f.path) for f in found] == [("one.txt", single), ("two.md", other)]


def test_missing_path_raises(files):
    with pytest.raises(FileNotFoundError):
        list(discover([files.root / "nowhere"]))


def test_a_file_yielding_more_text_than_the_limit_is_refused_naming_the_setting():
    text = "Many words of a long report. " * 40
    file = SourceFile("long.txt", None, text.encode("utf-8"))
    assert extract(file, ContentLimits(max_text_chars=len(text))).text == text
    with pytest.raises(BadFile, match=r"more than the limit of 100 \(RAG_MAX_TEXT_CHARS\); split the file"):
        extract(file, ContentLimits(max_text_chars=100))
