"""Page numbers over HTTP: a PDF's citations carry their page, /pages says where each page lies."""

from __future__ import annotations

from live_service import assert_citations_hold, upload
from sample_files import pdf_pages

PAGES = (
    "The harbour authority published its annual report on shipping safety.",
    "The lighthouse on the northern cape was built by Margaret Ellison in 1874.",
    "The ferry to the island carries 900 passengers every summer day.",
)


def test_citations_carry_their_page_and_pages_locate_them(serve):
    client = serve().client
    report = upload(client, {"harbour.pdf": pdf_pages(*PAGES), "notes.txt": "The ferry to the island is slow."})
    assert report.status_code == 200, report.text
    by_source = {d["source"]: d for d in client.get("/documents").json()}
    assert [d["ocr_pages"] for d in by_source.values()] == [[], []]
    pdf, txt = by_source["harbour.pdf"]["doc_id"], by_source["notes.txt"]["doc_id"]

    pages = client.get(f"/documents/{pdf}/pages").json()
    text = client.get(f"/documents/{pdf}/text").json()["text"]
    assert pages["doc_id"] == pdf and [p["page"] for p in pages["pages"]] == [1, 2, 3]
    assert [text[p["start"]:p["end"]] for p in pages["pages"]] == list(PAGES)
    assert client.get(f"/documents/{txt}/pages").json() == {"doc_id": txt, "pages": []}

    for question, page in (("Who built the lighthouse on the northern cape?", 2),
                           ("How many passengers does the ferry to the island carry?", 3)):
        answer = client.post("/ask", json={"question": question}).json()
        assert_citations_hold(client, answer)
        cited = {c["source"]: c["page"] for c in answer["citations"]}
        assert cited["harbour.pdf"] == page, answer
        assert cited.get("notes.txt") is None
        span = pages["pages"][page - 1]
        assert all(span["start"] <= c["start"] < span["end"] for c in answer["citations"]
                   if c["source"] == "harbour.pdf")
