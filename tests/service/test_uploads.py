"""POST /documents refusals: bad names, types, contents and sizes never reach the index."""

from __future__ import annotations

import pytest

from live_service import CORPUS, KNOWN_QUESTION, assert_error, upload
from sample_files import SAMPLES, pdf_bytes

GOOD = SAMPLES[0]

BAD_FILES = [
    ("../../x.md", b"# Escape\n\ntext", 400, "may not hold folders"),
    ("a/b.md", b"# Nested\n\ntext", 400, "may not hold folders"),
    ("/etc/passwd.txt", b"root:x:0:0", 400, "may not hold folders"),
    ("a\\b.md", b"# Windows\n\ntext", 400, "may not hold folders"),
    ("..", b"text", 400, "may not hold folders"),
    ("program.exe", b"MZ\x90\x00\x03", 415, "unsupported type '.exe'"),
    ("README", b"plain words", 415, "no extension"),
    ("empty.txt", b"", 400, "empty file"),
    ("blank.md", b" \n\n\t ", 400, "empty file"),
    ("latin1.txt", "Café com leite".encode("latin-1"), 400, "not UTF-8"),
    ("nul.txt", b"text\x00with NUL", 400, "binary"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 400, "not UTF-8"),
    ("broken.pdf", b"%PDF-1.4 truncated", 400, "corrupt PDF"),
    ("scan.pdf", pdf_bytes(), 400, "no text found by OCR"),
    ("broken.docx", b"PK\x03\x04 not really a zip", 400, "corrupt .docx"),
]


@pytest.mark.parametrize(("name", "data", "status", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_alone_is_refused_with_its_reason(client, unharmed, name, data, status, reason):
    response = upload(client, [(name, data)])
    assert_error(response, status, "no file was indexed", name, reason)
    refused = response.json()["refused"]
    assert [r["source"] for r in refused] == [name] and reason in refused[0]["reason"]
    unharmed()


def test_refusals_of_different_kinds_together_are_400(client, unharmed):
    response = upload(client, [("program.exe", b"MZ"), ("empty.txt", b"")])
    assert_error(response, 400, "2 refused", "program.exe", "empty.txt")
    unharmed()


def test_a_file_field_that_is_not_a_file_is_422(client, unharmed):
    assert_error(client.post("/documents", data={"files": "just text"}), 422, "'files.0'", "UploadFile")
    assert_error(client.post("/documents", data={"other": "x"}, files={"upload": ("a.txt", b"x")}), 422,
                 "'files' is required")
    assert_error(client.post("/documents"), 422, "'files'")
    unharmed()


def test_good_files_are_indexed_and_bad_ones_listed(serve):
    client = serve().client
    bad = [(name, data) for name, data, _, _ in BAD_FILES]
    response = upload(client, [(GOOD.name, GOOD.data), *bad])
    assert response.status_code == 200, response.text
    report = response.json()
    assert [d["source"] for d in report["added"]] == [GOOD.name]
    assert sorted(r["source"] for r in report["refused"]) == sorted(name for name, _ in bad)
    assert report["counts"]["refused"] == len(bad)
    assert [d["source"] for d in client.get("/documents").json()] == [GOOD.name]


def test_two_files_with_one_name_index_the_first(serve):
    client = serve().client
    report = upload(client, [(GOOD.name, GOOD.data), (GOOD.name, b"Another text entirely.")]).json()
    assert [d["source"] for d in report["added"]] == [GOOD.name]
    assert report["refused"] == [{"source": GOOD.name, "reason": "another file in this ingest has the same name"}]
    text = client.get(f"/documents/{report['added'][0]['doc_id']}/text").json()["text"]
    assert text == GOOD.data.decode()


LIMIT = 1000


@pytest.fixture
def small_limit(serve):
    """A server over CORPUS that takes uploads of at most LIMIT bytes, and its unharmed-check."""
    client = serve(max_upload_bytes=LIMIT).client
    upload(client, CORPUS)
    before = client.get("/documents").json()

    def unharmed() -> None:
        assert client.get("/documents").json() == before
        assert client.post("/ask", json={"question": KNOWN_QUESTION}).json()["found"] is True

    return client, unharmed


def text_of(size: int) -> bytes:
    return (b"Plain words about nothing in particular. " * (size // 40 + 1))[:size]


@pytest.mark.parametrize("files", [
    [("big.txt", text_of(LIMIT + 1))],
    [("half.txt", text_of(LIMIT // 2 + 1)), ("other-half.txt", text_of(LIMIT // 2 + 1))],
    [("huge.txt", text_of(3 * 1024 * 1024))],
], ids=["one-file-over", "files-together-over", "body-over"])
def test_an_upload_over_the_limit_is_413_whole(small_limit, files):
    client, unharmed = small_limit
    assert_error(upload(client, files), 413, str(LIMIT), "RAG_MAX_UPLOAD_BYTES")
    unharmed()


def test_a_chunked_upload_over_the_limit_is_413(small_limit):
    client, unharmed = small_limit
    # The same multipart body, streamed without Content-Length, so only counting can stop it.
    request = client.build_request("POST", "/documents", files={"files": ("huge.txt", text_of(3 * 1024 * 1024))})
    body = request.read()
    streamed = client.post("/documents", content=iter([body[i:i + 65536] for i in range(0, len(body), 65536)]),
                           headers={"content-type": request.headers["content-type"]})
    assert "content-length" not in streamed.request.headers
    assert_error(streamed, 413, "RAG_MAX_UPLOAD_BYTES")
    unharmed()


def test_an_upload_of_exactly_the_limit_is_indexed(small_limit):
    client, _ = small_limit
    response = upload(client, [("exact.txt", text_of(LIMIT))])
    assert response.status_code == 200 and response.json()["counts"]["added"] == 1



def test_every_accepted_extension_is_named_where_people_look_for_it(client):
    """The README's table of formats, the page's upload hint in each language, and the description
    of the upload's files in the schema name every extension the loaders read."""
    import re
    from pathlib import Path

    from rag.loaders import SUPPORTED

    root = Path(__file__).resolve().parents[2]
    readme = root.joinpath("README.md").read_text("utf-8")
    table = readme.split("## File formats", 1)[1].split("\n## ", 1)[0]
    script = root.joinpath("service", "static", "i18n.js").read_text("utf-8")
    hints = ["".join(re.findall(r'"([^"]*)"', hint))
             for hint in re.findall(r'addDocuments: ("[^"]*"(?:\s*\+\s*"[^"]*")*)', script)]
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    described = [s["properties"]["files"]["description"] for name, s in schema.items()
                 if name.startswith("Body_") and "files" in s["properties"]]
    assert len(hints) == 3 and len(described) == 2
    for suffix in SUPPORTED:
        named = re.compile(re.escape(suffix) + r"(?![a-z])")
        assert named.search(table), f"{suffix} is not in the README's table of formats"
        for text in hints + described:
            assert named.search(text), f"{suffix} is missing from: {text}"
