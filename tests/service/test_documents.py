"""/documents: listing, reading, removing, and uploading real files of every supported format."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from live_service import CORPUS, KNOWN_QUESTION, assert_citations_hold, assert_error, upload
from sample_files import SAMPLES

from rag.markdown import render as render_markdown


def stored(source: str) -> str:
    """The text a document is stored as: a .md file's rendered text, any other the file's own."""
    return render_markdown(CORPUS[source]) if source.endswith(".md") else CORPUS[source]

DOCUMENT_FIELDS = {"doc_id", "source", "chunks", "format", "language", "chars", "content_hash", "added_at",
                   "ocr_pages", "collection"}


def by_source(client) -> dict[str, dict]:
    return {d["source"]: d for d in client.get("/documents").json()}


def test_list_describes_every_document(client):
    documents = client.get("/documents").json()
    assert [d["source"] for d in documents] == sorted(CORPUS)
    for document in documents:
        assert set(document) == DOCUMENT_FIELDS
        assert document["chunks"] >= 1 and document["added_at"]
        assert document["chars"] == len(stored(document["source"]))
    assert {d["language"] for d in documents} == {"en", "es", "pt"}


def test_text_is_the_uploaded_text_and_one_document_is_described(client):
    document = by_source(client)["lighthouse.md"]
    text = client.get(f"/documents/{document['doc_id']}/text").json()
    assert text == {"doc_id": document["doc_id"], "source": "lighthouse.md", "text": stored("lighthouse.md")}
    assert client.get(f"/documents/{document['doc_id']}").json() == document


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/documents/0123456789abcdef/text"),
    ("GET", "/documents/0123456789abcdef/pages"),
    ("GET", "/documents/0123456789abcdef"),
    ("DELETE", "/documents/0123456789abcdef"),
    ("GET", "/documents/..%2F..%2Fetc/text"),
    ("DELETE", "/documents/lighthouse.md"),
])
def test_an_unknown_document_is_404(client, unharmed, method, path):
    assert_error(client.request(method, path), 404)
    unharmed()


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.format for s in SAMPLES])
def test_each_format_is_indexed_and_answers_with_exact_citations(serve, sample):
    client = serve().client
    response = upload(client, {sample.name: sample.data})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["counts"] == {"added": 1, "replaced": 0, "unchanged": 0, "refused": 0,
                                "chunks": report["added"][0]["chunks"]}
    added = report["added"][0]
    assert (added["source"], added["format"]) == (sample.name, sample.format)
    assert set(added) == DOCUMENT_FIELDS and added["added_at"]
    assert client.get("/documents").json() == [added]

    answer = client.post("/ask", json={"question": sample.question}).json()
    assert answer["found"] is True and sample.expected in answer["answer"]
    assert answer["citations"][0]["source"] == sample.name
    assert_citations_hold(client, answer)
    if sample.format == "html":
        assert "ignored" not in client.get(f"/documents/{added['doc_id']}/text").json()["text"]


def test_the_upload_report_describes_documents_as_the_list_does(serve):
    client = serve().client
    added = upload(client, CORPUS).json()["added"]
    assert sorted(added, key=lambda d: d["source"]) == client.get("/documents").json()


def test_many_files_in_one_request(serve):
    client = serve().client
    report = upload(client, {s.name: s.data for s in SAMPLES}).json()
    assert sorted(d["source"] for d in report["added"]) == sorted(s.name for s in SAMPLES)
    assert client.get("/readyz").json()["documents"] == len(SAMPLES)


def test_concurrent_uploads_wait_their_turn_instead_of_failing(serve):
    client = serve().client
    batches = [{f"{n}-{s.name}": s.data for s in SAMPLES} for n in range(4)]
    with ThreadPoolExecutor(len(batches)) as pool:
        responses = list(pool.map(lambda files: upload(client, files), batches))
    assert [r.status_code for r in responses] == [200] * len(batches)
    assert client.get("/readyz").json()["documents"] == len(batches) * len(SAMPLES)


def test_uploading_again_is_unchanged_and_new_content_replaces(serve):
    client = serve().client
    upload(client, CORPUS)
    old = by_source(client)["lighthouse.md"]

    again = upload(client, {"lighthouse.md": CORPUS["lighthouse.md"]}).json()
    assert again["unchanged"] == ["lighthouse.md"] and again["added"] == again["replaced"] == []

    edited = CORPUS["lighthouse.md"].replace("Margaret Holloway", "Edith Marsh")
    replaced = upload(client, {"lighthouse.md": edited}).json()
    assert [d["source"] for d in replaced["replaced"]] == ["lighthouse.md"]
    new = by_source(client)["lighthouse.md"]
    assert new["doc_id"] != old["doc_id"] and len(client.get("/documents").json()) == len(CORPUS)
    assert_error(client.get(f"/documents/{old['doc_id']}/text"), 404, old["doc_id"])
    answer = client.post("/ask", json={"question": KNOWN_QUESTION}).json()
    assert "Edith Marsh" in answer["answer"] and "Holloway" not in answer["answer"]


def test_removing_a_document(serve):
    client = serve().client
    upload(client, CORPUS)
    document = by_source(client)["lighthouse.md"]
    before = client.get("/readyz").json()

    removed = client.delete(f"/documents/{document['doc_id']}")
    assert removed.status_code == 200 and removed.json() == document
    assert "lighthouse.md" not in by_source(client)
    assert client.get("/readyz").json() == {"status": "ready", "documents": before["documents"] - 1,
                                            "chunks": before["chunks"] - document["chunks"]}
    assert_error(client.get(f"/documents/{document['doc_id']}/text"), 404, "no document")
    assert_error(client.delete(f"/documents/{document['doc_id']}"), 404, "no document")
    answer = client.post("/ask", json={"question": KNOWN_QUESTION}).json()
    assert all(c["source"] != "lighthouse.md" for c in answer["citations"])
    assert client.post("/ask", json={"question": "Quem criou o projeto Rio Limpo?"}).json()["found"] is True
