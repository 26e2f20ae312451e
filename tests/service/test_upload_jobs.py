"""POST /uploads and GET /uploads/{upload_id} over the real HTTP service, with real Tesseract: the
upload answers at once, tells each page OCR reads, and ends with POST /documents' own report or
error; questions are answered while it runs. With two keys and the real model: a job goes only
into a collection its key may write, and is seen only by that key."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from live_service import CORPUS, KNOWN_QUESTION, assert_error, live
from rag import ocr
from rag.errors import NotFound
from service.audit import AuditLog
from rag.settings import BUNDLED_MODEL
from service.api.upload_jobs import TooManyUploads, UploadJobs
from service.app import create_app
from two_collections import FACT, FACT_QUESTION, keyed_settings

sys.path.append(str(Path(__file__).resolve().parents[1]))
from ocr_renders import TEXTS, pdf, render  # noqa: E402

# Not a speed limit: a guard that ends the test if a job never finishes.
HANG_GUARD_SECONDS = 600
needs_ocr = pytest.mark.skipif(not ocr.available(), reason=ocr.NOTICE)


def start(client: httpx.Client, files: list[tuple[str, bytes]], **options) -> httpx.Response:
    """POST /uploads with these files; `options` (params, headers) go with the request."""
    return client.post("/uploads", files=[("files", (name, data)) for name, data in files], **options)


def follow(client: httpx.Client, upload_id: str, **options) -> list[dict]:
    """Every state the job was seen in, polled as the page polls, until it finished."""
    seen = []
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while not seen or seen[-1]["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, f"the upload did not finish: {seen[-1]}"
        response = client.get(f"/uploads/{upload_id}", **options)
        assert response.status_code == 200, response.text
        seen.append(response.json())
        time.sleep(0.05)
    return seen


@needs_ocr
def test_a_scan_tells_each_page_ocr_reads_and_ends_with_the_upload_report(serve):
    client = serve().client
    scan = pdf([render(TEXTS[lang], seed=n) for n, lang in enumerate(["en", "es", "pt"])])
    started = start(client, [("scan.pdf", scan), ("notes.txt", b"The ferry leaves at noon."),
                             ("setup.exe", b"MZ")])
    assert started.status_code == 202, started.text
    job = started.json()
    assert (job["state"], job["files"], job["report"], job["error"], job["status"]) == ("reading", 2, None, None, None)

    answer = client.post("/ask", json={"question": "When does the ferry leave?"})
    still_reading = client.get(f"/uploads/{job['upload_id']}").json()["state"] == "reading"
    seen = follow(client, job["upload_id"])

    assert answer.status_code == 200
    assert still_reading, "the scan was read before the test could ask; it proves nothing"
    pages = [s["ocr"] for s in seen if s["ocr"]]
    assert pages and all(p["source"] == "scan.pdf" and p["pages"] == 3 for p in pages)
    assert [p["page"] for p in pages] == sorted(p["page"] for p in pages)  # in order, as read
    states = [s["state"] for s in seen]
    assert states == sorted(states, key=["reading", "indexing", "done"].index)
    finished = seen[-1]
    assert (finished["status"], finished["error"], finished["ocr"]) == (200, None, None)
    report = finished["report"]
    assert {d["source"]: d["ocr_pages"] for d in report["added"]} == {"scan.pdf": [1, 2, 3], "notes.txt": []}
    assert [r["source"] for r in report["refused"]] == ["setup.exe"]
    assert report["counts"]["refused"] == 1 and "unsupported type" in report["refused"][0]["reason"]
    assert sorted(d["source"] for d in client.get("/documents").json()) == ["notes.txt", "scan.pdf"]


def test_files_refused_by_name_or_type_are_refused_at_once_as_post_documents_does(client, unharmed):
    assert_error(start(client, [("setup.exe", b"MZ")]), 415, "setup.exe", "unsupported type")
    assert_error(start(client, [("a/b.txt", b"x"), ("empty.txt", b"")]), 400, "no file was indexed")
    unharmed()


def test_content_that_cannot_be_read_fails_the_job_with_post_documents_error(serve):
    client = serve().client
    job = start(client, [("broken.pdf", b"%PDF-1.4\n garbage")]).json()
    finished = follow(client, job["upload_id"])[-1]
    assert (finished["state"], finished["status"], finished["report"]) == ("failed", 400, None)
    assert finished["error"]["detail"].startswith("no file was indexed")
    assert [r["source"] for r in finished["error"]["refused"]] == ["broken.pdf"]
    assert "corrupt PDF" in finished["error"]["refused"][0]["reason"]


def test_an_unknown_upload_is_404(client):
    assert_error(client.get("/uploads/" + "0" * 32), 404, "no upload", "GET /documents")


def test_the_same_files_give_the_same_report_by_either_route(serve):
    files = [(name, text.encode()) for name, text in CORPUS.items()]
    by_job = serve().client
    finished = follow(by_job, start(by_job, files).json()["upload_id"])[-1]
    direct = serve().client.post("/documents", files=[("files", f) for f in files]).json()
    for report in (finished["report"], direct):
        report.pop("seconds")
        for document in report["added"]:
            document.pop("added_at")
    assert finished["report"] == direct
    assert by_job.post("/ask", json={"question": KNOWN_QUESTION}).json()["found"]


# --- collections and keys ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keyed(tmp_path_factory) -> Iterator[tuple[httpx.Client, dict[str, dict]]]:
    """A real server with the real model; its client holds the admin key (RAG_API_KEY), and the
    headers of key A (reads and writes collection a) and key B (collection b) are given beside it."""
    settings, keys = keyed_settings(tmp_path_factory.mktemp("index"), embedding_model=BUNDLED_MODEL)
    with live(create_app(settings), headers={"Authorization": f"Bearer {settings.api_key}"}) as running:
        yield running.client, {name: {"Authorization": f"Bearer {key}"} for name, key in keys.items()}


@pytest.mark.integration
def test_an_upload_job_into_a_collection_the_key_may_not_write_is_403_before_it_starts(keyed):
    client, key = keyed
    before = client.get("/documents").json()
    planted = [("planted.txt", b"The lighthouse on Gull Point was built by someone else.")]
    assert_error(start(client, planted, params={"collection": "b"}, headers=key["a"]), 403,
                 "may not write to collection 'b'")
    # Without ?collection= the files go to 'default', which key A may not write either.
    assert_error(start(client, planted, headers=key["a"]), 403, "may not write to collection 'default'")
    # The scope is checked before the files are: an unsupported file is no 415 to a key that may not write.
    assert_error(start(client, [("setup.exe", b"MZ")], params={"collection": "b"}, headers=key["a"]), 403)
    assert client.get("/documents").json() == before


@pytest.mark.integration
def test_another_keys_upload_job_is_the_same_404_as_an_unknown_one(keyed):
    client, key = keyed
    files = [(name, text.encode()) for name, text in CORPUS.items()]
    upload_id = start(client, files, params={"collection": "b"}, headers=key["b"]).json()["upload_id"]
    unknown = "0" * 32

    def hidden_from_others() -> None:
        for other in (key["a"], {}):  # key A, and the administrator's key the client holds
            detail = assert_error(client.get(f"/uploads/{upload_id}", headers=other), 404, upload_id)
            assert detail.replace(upload_id, unknown) == assert_error(client.get(f"/uploads/{unknown}", headers=other),
                                                                      404)

    hidden_from_others()  # as soon as it has started
    assert follow(client, upload_id, headers=key["b"])[-1]["state"] == "done"
    hidden_from_others()  # and once it is done


@pytest.mark.integration
def test_an_upload_jobs_documents_land_in_the_named_collection(keyed):
    client, key = keyed
    started = start(client, [(name, text.encode()) for name, text in FACT.items()], params={"collection": "b"},
                    headers=key["b"])
    assert (started.status_code, started.json()["collection"]) == (202, "b")
    finished = follow(client, started.json()["upload_id"], headers=key["b"])[-1]
    assert (finished["state"], finished["collection"]) == ("done", "b")
    (document,) = finished["report"]["added"]
    assert document["collection"] == "b"
    in_b = client.get("/documents", params={"collection": "b"}, headers=key["b"]).json()
    assert document["doc_id"] in {d["doc_id"] for d in in_b}
    assert document["doc_id"] not in {d["doc_id"] for d in client.get("/documents", headers=key["a"]).json()}
    answered = client.post("/ask", json={"question": FACT_QUESTION}, headers=key["b"]).json()
    assert answered["found"] and "Margaret Holloway" in answered["answer"]
    assert document["doc_id"] in {c["doc_id"] for c in answered["citations"]}
    assert client.post("/ask", json={"question": FACT_QUESTION}, headers=key["a"]).json()["found"] is False


# --- the jobs themselves ---------------------------------------------------------------------------


# Whose job it is and where its files go: the route's business, any will do here.
OWNED = {"owner": "unit-a", "collection": "default"}


def run(scenario):
    """Runs a coroutine on an event loop of its own, in a thread of its own: the browser tests'
    Playwright keeps a loop running in the main thread for the whole session."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, scenario()).result()


def test_past_the_running_limit_an_upload_is_refused_until_one_finishes():
    async def scenario() -> None:
        jobs = UploadJobs(max_running=1)
        release = asyncio.Event()

        async def slow(job) -> dict:
            await release.wait()
            return {"counts": {}}

        first = jobs.start(1, slow, **OWNED)
        with pytest.raises(TooManyUploads, match="1 uploads are being indexed"):
            jobs.start(1, slow, **OWNED)
        release.set()
        await jobs.drain()
        assert jobs.get(first.upload_id, "unit-a").to_dict()["state"] == "done"
        jobs.start(1, slow, **OWNED)  # room again
        await jobs.drain()

    run(scenario)


def test_finished_jobs_are_forgotten_beyond_the_newest_kept():
    async def scenario() -> None:
        jobs = UploadJobs(keep_finished=2)

        async def quick(job) -> dict:
            return {}

        ids = []
        for _ in range(3):
            ids.append(jobs.start(1, quick, **OWNED).upload_id)
            await jobs.drain()
        with pytest.raises(NotFound):
            jobs.get(ids[0], "unit-a")
        assert [jobs.get(i, "unit-a").to_dict()["state"] for i in ids[1:]] == ["done", "done"]

    run(scenario)


def test_an_unexpected_failure_is_a_500_with_a_reference_in_the_log(caplog):
    async def scenario() -> dict:
        jobs = UploadJobs()

        async def broken(job) -> dict:
            raise RuntimeError("disk on fire")

        job = jobs.start(1, broken, **OWNED)
        await jobs.drain()
        return job.to_dict()

    job = run(scenario)
    assert (job["state"], job["status"]) == ("failed", 500)
    reference = job["error"]["reference"]
    assert reference in job["error"]["detail"] and "disk on fire" not in job["error"]["detail"]
    assert any(reference in r.getMessage() and "disk on fire" in r.getMessage() for r in caplog.records)


def test_a_finished_job_whose_audit_line_cannot_be_written_fails_with_the_report_withheld(tmp_path):
    path = tmp_path / "audit.jsonl"
    audit = AuditLog(path, log_questions=False)
    path.unlink()
    path.mkdir()  # the file is gone, and a folder stands in its way

    async def scenario() -> dict:
        jobs = UploadJobs(audit=audit)

        async def indexed(job) -> dict:
            return {"added": [{"doc_id": "0123456789abcdef"}], "replaced": []}

        job = jobs.start(1, indexed, **OWNED)
        await jobs.drain()
        return job.to_dict()

    job = run(scenario)
    assert (job["state"], job["status"], job["report"]) == ("failed", 500, None)
    assert "could not be written" in job["error"]["detail"] and "withheld" in job["error"]["detail"]
