"""Hostile uploads through the real HTTP server: refused with their reason in bounded time and
memory, the rest of the batch indexed, and questions answered all the while.

The server runs in this process (live_service), so "the service's memory" is this process's
VmRSS, sampled during the upload; the parser processes are its children, sampled likewise.
Time bounds are generous: they prove that a refusal comes, not how fast.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from bomb_files import docx_bomb, docx_lying_header, nested_html, pdf_deep_nesting, pdf_many_pages
from live_service import CORPUS, KNOWN_QUESTION, assert_error, upload
from rss import children, watch

MB = 1024 * 1024
PARSE_MEMORY_MB = 512
SERVICE_GROWTH_MB = 300  # the bombs expand to 1.1 GB: the service must not hold any of that
BOUND = 60  # seconds, with limits of 10 s: bounded, not fast

BOMBS = [
    ("bomb.docx", lambda: docx_bomb(1100 * MB), 400, "RAG_MAX_EXTRACTED_BYTES"),
    ("liar.docx", lambda: docx_lying_header(300 * MB), 400, "CRC"),
    ("pages.pdf", lambda: pdf_many_pages(100_000), 400, "RAG_MAX_PDF_PAGES"),
    ("deep.pdf", lambda: pdf_deep_nesting(100_000), 400, "corrupt PDF"),
]


@pytest.fixture
def others() -> frozenset[int]:
    """Child processes that are not this test's parsers (those of engines earlier tests left open)."""
    return frozenset(children(os.getpid()))


@pytest.fixture
def guarded(serve, others):
    """A server with small limits, holding the small corpus."""
    served = serve(parse_memory_mb=PARSE_MEMORY_MB, parse_cpu_seconds=10, parse_timeout_seconds=10)
    assert upload(served.client, CORPUS).status_code == 200
    return served.client


@pytest.mark.parametrize(("name", "make", "status", "reason"), BOMBS, ids=[b[0] for b in BOMBS])
def test_a_bomb_is_refused_in_bounded_time_and_memory_and_its_batch_goes_in(guarded, others, name, make, status,
                                                                           reason):
    bomb = make()
    baseline = int(open(f"/proc/{os.getpid()}/status").read().split("VmRSS:")[1].split()[0]) / 1024
    started = time.monotonic()
    with watch(os.getpid(), besides=others) as peaks:
        response = upload(guarded, [(name, bomb), ("good.txt", "The harbour museum opens at nine.")])
    seconds = time.monotonic() - started
    assert response.status_code == 200, response.text
    report = response.json()
    assert [d["source"] for d in report["added"]] == ["good.txt"]
    assert [r["source"] for r in report["refused"]] == [name] and reason in report["refused"][0]["reason"]
    assert seconds < BOUND
    assert peaks.process_mb - baseline < SERVICE_GROWTH_MB
    assert peaks.children_seen and peaks.children_mb < PARSE_MEMORY_MB
    alone = upload(guarded, [(name, bomb)])
    assert_error(alone, status, "no file was indexed", name, reason)


def test_100k_nested_html_tags_are_indexed(guarded):
    response = upload(guarded, [("nested.html", nested_html(100_000))])
    assert response.status_code == 200, response.text
    assert response.json()["added"][0]["source"] == "nested.html"


def test_questions_and_other_uploads_are_served_while_a_bomb_is_parsed(serve):
    # No page limit to speak of: reading 100,000 pages runs until the 10 s limits stop it.
    client = serve(parse_cpu_seconds=10, parse_timeout_seconds=10, max_pdf_pages=1_000_000).client
    assert upload(client, CORPUS).status_code == 200
    slow = pdf_many_pages(100_000)
    outcome: dict = {}

    def send() -> None:
        started = time.monotonic()
        outcome["response"] = upload(client, [("slow.pdf", slow)])
        outcome["seconds"] = time.monotonic() - started

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(1)  # the upload is being parsed by now
    answers = []
    while sender.is_alive() and len(answers) < 3:
        answers.append(client.post("/ask", json={"question": KNOWN_QUESTION}))
    other = upload(client, [("meanwhile.txt", "The ferry leaves the harbour at noon.")])
    still_parsing = sender.is_alive()
    sender.join(BOUND + 30)
    assert answers and all(a.status_code == 200 and a.json()["found"] for a in answers), answers
    assert other.status_code == 200 and other.json()["added"][0]["source"] == "meanwhile.txt", other.text
    assert still_parsing, f"the bomb was parsed before the test could ask ({outcome}); it proves nothing"
    assert_error(outcome["response"], 400, "slow.pdf")
    reason = outcome["response"].json()["refused"][0]["reason"]
    assert "RAG_PARSE_CPU_SECONDS" in reason or "RAG_PARSE_TIMEOUT_SECONDS" in reason, reason
    assert outcome["seconds"] < BOUND
