"""POST /documents with e-mails and .odt files, through the real HTTP service."""

from __future__ import annotations

import io
from email.message import EmailMessage

from live_service import upload
from sample_files import pdf_bytes


def eml(attachments: list[tuple[str, bytes]]) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "ana@fiscalia.example", "equipo@ngo.example", "Case 12"
    mail.set_content("The report on the Lopez network is attached.")
    for name, data in attachments:
        mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return mail.as_bytes()


def odt(*paragraphs: str) -> bytes:
    from odf import text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    for paragraph in paragraphs:
        document.text.addElement(text.P(text=paragraph))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_mail_its_attachments_and_an_odt_are_indexed_and_cited(serve):
    client = serve().client
    report = pdf_bytes("The victims were moved through Tapachula by the Lopez network.")
    response = upload(client, [("case.eml", eml([("report.pdf", report), ("broken.pdf", b"%PDF-1.4 truncated")])),
                               ("hearing.odt", odt("The hearing of the Lopez case is set for June."))])
    assert response.status_code == 200, response.text
    body = response.json()
    assert sorted(d["source"] for d in body["added"]) == ["case.eml", "case.eml/report.pdf", "hearing.odt"]
    assert [r["source"] for r in body["refused"]] == ["case.eml/broken.pdf"]
    assert "corrupt PDF" in body["refused"][0]["reason"]
    answer = client.post("/ask", json={"question": "Through which town were the victims moved?"}).json()
    assert answer["citations"][0]["source"] == "case.eml/report.pdf"

    mail_id = next(d["doc_id"] for d in body["added"] if d["source"] == "case.eml")
    assert client.delete(f"/documents/{mail_id}").status_code == 200
    assert [d["source"] for d in client.get("/documents").json()] == ["hearing.odt"]


def test_a_corrupt_odt_or_msg_alone_is_refused_with_its_reason(client, unharmed):
    response = upload(client, [("broken.odt", b"PK\x03\x04 not a zip"), ("broken.msg", b"not Outlook")])
    assert response.status_code == 400, response.text
    reasons = {r["source"]: r["reason"] for r in response.json()["refused"]}
    assert "corrupt .odt" in reasons["broken.odt"] and "corrupt .msg" in reasons["broken.msg"]
    unharmed()
