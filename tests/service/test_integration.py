"""The service with the real embedding model over the seed documents (loaded once per module)."""

from __future__ import annotations

import random
import threading
import time

import pytest

from live_service import assert_citations_hold, live, no_outbound_connections, upload
from rag.settings import BUNDLED_MODEL, Settings
from service.app import create_app

pytestmark = pytest.mark.integration

WORDS = ("river harbour council budget school library museum railway bridge market garden festival "
         "committee report survey volunteer project funding season weather storm repair road station "
         "village teacher nurse farmer meeting archive record ledger timber stone copper").split()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, seeds_dir):
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"), embedding_model=BUNDLED_MODEL)
    # The real model is what would reach for a model hub, if anything did.
    with no_outbound_connections() as attempts, live(create_app(settings)) as running:
        seeds = {path.name: path.read_bytes() for path in sorted(seeds_dir.iterdir())}
        report = upload(running.client, seeds)
        assert report.status_code == 200, report.text
        assert sorted(d["source"] for d in report.json()["added"]) == sorted(seeds)
        yield running.client
    assert attempts == []


@pytest.mark.parametrize(("question", "language"), [
    ("Who implements TRACK4TIP?", "en"),
    ("¿Quién implementa TRACK4TIP?", "es"),
    ("Quem implementa o TRACK4TIP?", "pt"),
])
def test_track4tip_is_implemented_by_unodc(seeded, question, language):
    answer = seeded.post("/ask", json={"question": question}).json()
    assert answer["found"] is True and answer["language"] == language
    assert "UNODC" in answer["answer"]
    assert answer["citations"]
    assert_citations_hold(seeded, answer)
    # The seeds are English: a Spanish or Portuguese asker gets the quote and, beside it, its gloss.
    for citation in answer["citations"]:
        assert citation["language"] == "en"
        assert (citation["gloss"] is None) == (language == "en")
    if language != "en":
        assert "UNODC" in answer["answer_gloss"] and "[1]" in answer["answer_gloss"]
        assert all(c["gloss"] != c["quote"] and c["gloss"] in answer["answer_gloss"] for c in answer["citations"])
    else:
        assert answer["answer_gloss"] is None


def test_questions_in_three_languages_at_once_are_all_answered(seeded):
    """The translator's pipelines, the stemmers and the model are shared by the request threads."""
    questions = ["Who implements TRACK4TIP?", "¿Quién implementa TRACK4TIP?", "Quem implementa o TRACK4TIP?",
                 "¿Qué países participan en REDTRAM?", "Quais países fazem parte da rede?",
                 "Which countries are in TRACK4TIP?", "¿Quién financia la iniciativa?", "O que é a REDTRAM?"]
    statuses: list[int] = []
    glossed: list[bool] = []
    lock = threading.Lock()

    def ask(k: int) -> None:
        for n in range(6):
            response = seeded.post("/ask", json={"question": questions[(k + n) % len(questions)]})
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 200:
                    body = response.json()
                    glossed.append(body["language"] == "en" or not body["found"] or bool(body["answer_gloss"]))

    threads = [threading.Thread(target=ask, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert statuses == [200] * 96
    assert all(glossed)


def test_an_unrelated_question_is_not_found(seeded):
    answer = seeded.post("/ask", json={"question": "What is the recipe for chocolate cake?"}).json()
    assert answer["found"] is False and answer["citations"] == []


def test_questions_are_answered_while_an_upload_is_indexed(seeded):
    rng = random.Random(4)
    archive = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(80)).capitalize() + "."
                          for _ in range(150))
    done: dict = {}

    def index_archive() -> None:
        started = time.monotonic()
        done["response"] = upload(seeded, {"archive.txt": archive})
        done["window"] = (started, time.monotonic())

    uploader = threading.Thread(target=index_archive)
    uploader.start()
    answers = []
    while uploader.is_alive():
        response = seeded.post("/ask", json={"question": "Who implements TRACK4TIP?"})
        answers.append((time.monotonic(), response.status_code, response.json().get("found")))
        time.sleep(0.05)
    uploader.join()

    assert done["response"].status_code == 200 and done["response"].json()["counts"]["chunks"] > 50
    started, finished = done["window"]
    during = [a for a in answers if started < a[0] < finished]
    assert len(during) >= 3, f"only {len(during)} answers while indexing took {finished - started:.1f}s"
    assert all(status == 200 and found for _, status, found in answers)

    removed = seeded.delete(f"/documents/{done['response'].json()['added'][0]['doc_id']}")
    assert removed.status_code == 200 and removed.json()["source"] == "archive.txt"
    assert seeded.get("/readyz").json()["documents"] == 5
