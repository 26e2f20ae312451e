"""E-mail (.eml, .msg): their text, and a mail's attachments as documents of their own."""

from __future__ import annotations

import pytest

from mail_files import eml_bytes, html_only_eml, msg_bytes, odt_bytes
from pdf_files import pdf_bytes
from reading import refused_bytes as refused

from rag.loaders import ContentLimits, extract
from rag.mail import attached, safe_name
from rag.sources import SourceFile

REPORT = pdf_bytes(["The victims were moved through Tapachula by the Lopez network in March 2024."])
QUESTION = "Through which town were the victims moved?"


# --- the files' own text ---------------------------------------------------------------------------


def test_eml_text_is_its_header_and_plain_body():
    extracted = extract(SourceFile("m.eml", None, eml_bytes("Case 12", "Please read the report.",
                                                          html="<p>Ignored <b>HTML</b> twin</p>")))
    kind, text = extracted.kind, extracted.text
    assert kind == "eml" and extracted.pages == ()
    assert text == ("From: Ana Lopez <ana@fiscalia.example>\nTo: Equipo <equipo@ngo.example>\n"
                    "Date: Mon, 03 Mar 2025 10:00:00 +0000\nSubject: Case 12\n\nPlease read the report.")


def test_an_html_only_body_is_reduced_to_its_visible_text():
    text = extract(SourceFile("m.eml", None, html_only_eml("Alert", "<p>Meet at <b>the port</b></p>"
                                                                    "<script>var hidden = 1;</script>"))).text
    assert text.endswith("Subject: Alert\n\nMeet at the port") and "hidden" not in text


def test_msg_text_is_its_header_and_body():
    extracted = extract(SourceFile("m.msg", None, msg_bytes("Case 7", "The Outlook body.")))
    kind, text = extracted.kind, extracted.text
    assert kind == "msg"
    assert text.startswith("From: Ana Lopez <ana@fiscalia.example>\nTo: Equipo <equipo@ngo.example>")
    assert text.endswith("Subject: Case 7\n\nThe Outlook body.")


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("broken.odt", b"PK\x03\x04 not really a zip", "corrupt .odt"),
    ("broken.odt", pdf_bytes(["a PDF named .odt"]), "corrupt .odt"),
    ("broken.msg", b"\xd0\xcf\x11\xe0 not an OLE file" * 20, "corrupt .msg"),
    ("broken.msg", b"plain words", "corrupt .msg"),
    ("notmail.eml", b"\x00\x01\x02 binary junk \xff\xfe", "not an e-mail"),
])
def test_corrupt_office_and_mail_files_are_refused_with_a_reason(name, data, reason):
    assert reason in refused(name, data)


# --- attachments as the parser hands them on ---------------------------------------------------------


def test_attachment_names_lose_folders_and_control_characters():
    assert safe_name("../../etc/report.pdf", 1) == "report.pdf"
    assert safe_name("C:\\Users\\x\\memo.docx", 1) == "memo.docx"
    assert safe_name("bad\nname\x1b.pdf", 1) == "bad_name_.pdf"
    assert safe_name("..", 3, "application/pdf") == "attachment-3.pdf"
    assert safe_name(None, 2, "message/rfc822") == "attachment-2.eml"


def test_a_mail_hands_on_its_attachments_and_refuses_unsupported_ones():
    data = eml_bytes("Case", "See attached.", [("../report.pdf", REPORT), ("photo.gif", b"\x89PNG")])
    files = attached(SourceFile("m.eml", None, data), ContentLimits())
    assert [(f.name, f.data, f.refused) for f in files][0] == ("report.pdf", REPORT, None)
    assert files[1].name == "photo.gif" and "unsupported type '.gif'" in files[1].refused


def test_an_encoded_newline_in_an_attachment_name_is_replaced():
    data = eml_bytes("Case", "See attached.", [("placeholder.pdf", REPORT)])
    data = data.replace(b'filename="placeholder.pdf"', b"filename*=utf-8''evil%0Aname.pdf")
    assert [f.name for f in attached(SourceFile("m.eml", None, data), ContentLimits())] == ["evil_name.pdf"]


def test_attachments_count_against_the_extracted_bytes_limit():
    data = eml_bytes("Case", "Two reports.", [("a.pdf", REPORT), ("b.pdf", REPORT)])
    files = attached(SourceFile("m.eml", None, data), ContentLimits(max_extracted_bytes=len(REPORT) + 10))
    assert files[0].refused is None
    assert "RAG_MAX_EXTRACTED_BYTES" in files[1].refused and not files[1].data


def test_files_that_are_not_mails_have_no_attachments():
    assert attached(SourceFile("n.odt", None, odt_bytes("T", ["p"])), ContentLimits()) is None


# --- through the engine --------------------------------------------------------------------------------


def test_an_attachment_is_its_own_document_cited_as_mail_slash_name(make_engine, files, check):
    files.raw("case.eml", eml_bytes("Case 12", "Please read the attached report.", [("report.pdf", REPORT)]))
    files.raw("notes.odt", odt_bytes("Notes", ["The hearing is set for June."]))
    engine = make_engine()
    report = engine.ingest_paths([files.root])
    assert sorted(d.source for d in report.added) == ["case.eml", "case.eml/report.pdf", "notes.odt"]
    assert not report.skipped
    answer = engine.ask(QUESTION)
    assert answer.found and answer.citations[0].source == "case.eml/report.pdf"
    assert "Tapachula" in answer.answer
    check.citations(engine, answer)
    check.consistent(engine)


def test_removing_a_mail_removes_its_attachments(make_engine, files, check):
    files.raw("case.eml", eml_bytes("Case 12", "See attached.", [("report.pdf", REPORT)]))
    files.text("other.txt", "Unrelated notes about the budget.")
    engine = make_engine()
    engine.ingest_paths([files.root])
    engine.remove(source="case.eml")
    assert [d.source for d in engine.documents()] == ["other.txt"]
    check.consistent(engine)


def test_a_changed_mail_replaces_its_attachments(make_engine, files, check):
    files.raw("case.eml", eml_bytes("Case 12", "See attached.", [("report.pdf", REPORT), ("old.txt", b"Old notes.")]))
    engine = make_engine()
    engine.ingest_paths([files.root])
    files.raw("case.eml", eml_bytes("Case 12", "See the new report.",
                                    [("report.pdf", pdf_bytes(["A revised report on Tapachula."]))]))
    report = engine.ingest_paths([files.root])
    assert sorted(d.source for d in report.replaced) == ["case.eml", "case.eml/report.pdf"]
    assert sorted(d.source for d in engine.documents()) == ["case.eml", "case.eml/report.pdf"]
    check.consistent(engine)


def test_a_bad_attachment_is_skipped_with_its_reason_and_the_mail_kept(make_engine, files, check):
    files.raw("case.eml", eml_bytes("Case 12", "The report is attached.",
                                    [("broken.pdf", b"%PDF-1.4 truncated"), ("photo.gif", b"\x89PNG"),
                                     ("report.pdf", REPORT)]))
    files.raw("broken.odt", b"PK\x03\x04 not really a zip")
    files.raw("broken.msg", b"not an Outlook file at all")
    files.text("good.txt", "Good notes.")
    engine = make_engine()
    report = engine.ingest_paths([files.root])
    assert sorted(d.source for d in report.added) == ["case.eml", "case.eml/report.pdf", "good.txt"]
    reasons = {s.source: s.reason for s in report.skipped}
    assert sorted(reasons) == ["broken.msg", "broken.odt", "case.eml/broken.pdf", "case.eml/photo.gif"]
    assert "corrupt PDF" in reasons["case.eml/broken.pdf"]
    assert "unsupported type '.gif'" in reasons["case.eml/photo.gif"]
    assert "corrupt .odt" in reasons["broken.odt"] and "corrupt .msg" in reasons["broken.msg"]
    check.consistent(engine)


def test_an_outlook_mail_and_its_attachment(make_engine, files, check):
    files.raw("case.msg", msg_bytes("Case 7", "The report is attached.", [("report.pdf", REPORT)]))
    engine = make_engine()
    report = engine.ingest_paths([files.root])
    assert sorted(d.source for d in report.added) == ["case.msg", "case.msg/report.pdf"]
    answer = engine.ask(QUESTION)
    assert answer.citations[0].source == "case.msg/report.pdf"
    engine.remove(source="case.msg")
    assert engine.documents() == []
    check.consistent(engine)


def test_a_forwarded_mail_is_read_with_its_own_attachments(make_engine, files):
    inner = eml_bytes("Original", "The original mail.", [("report.pdf", REPORT)])
    files.raw("fwd.eml", eml_bytes("Fwd: Original", "Forwarding this.", [("original.eml", inner)]))
    engine = make_engine()
    report = engine.ingest_paths([files.root])
    assert sorted(d.source for d in report.added) == ["fwd.eml", "fwd.eml/original.eml",
                                                      "fwd.eml/original.eml/report.pdf"]
    engine.remove(source="fwd.eml")
    assert engine.documents() == []
