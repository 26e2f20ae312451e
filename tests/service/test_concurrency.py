"""Many clients asking at once: the request threads share the stemmers' cache, the language
identifier, the translator, the SQLite connections and the conversations, and none may fail."""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path

import httpx
import pytest

from live_service import CORPUS, upload

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# Words the seeds lack, inflected, so that their stems are worked out under the race too.
SPANISH = ("investigaciones fiscales detenidos víctimas rescatadas tribunales condenados redes criminales "
           "fronteras migrantes denuncias policiales operativos coordinados capacitaciones jueces "
           "protegidas explotación laboral sentencias penales").split()
PORTUGUESE = ("investigações criminosas vítimas resgatadas tribunais condenações redes fronteiriças "
              "migrantes denúncias operações coordenadas capacitações juízes protegidas exploração "
              "trabalhista sentenças penais aliciadores").split()
FRAMES = {
    "en": "What do the documents say about {}?",
    "es": "¿Qué dicen los documentos sobre {}?",
    "pt": "O que dizem os documentos sobre {}?",
}
THREADS, QUESTIONS_EACH = 16, 24


def _questions(k: int) -> list[str]:
    """Thread k's own questions, each of three words, in English, Spanish and Portuguese in turn."""
    text = " ".join(p.read_text("utf-8") for p in sorted(SEEDS.iterdir()))
    english = sorted({w.lower() for w in re.findall(r"[^\W\d_]{4,}", text)})
    pools = {"en": english, "es": SPANISH + english[::7], "pt": PORTUGUESE + english[3::7]}
    out = []
    for n in range(QUESTIONS_EACH):
        language = ("en", "es", "pt")[n % 3]
        pool = pools[language]
        words = [pool[(k * 131 + n * 17 + j * 53) % len(pool)] for j in range(3)]
        out.append(FRAMES[language].format(" ".join(words)))
    return out


@pytest.fixture
def racing():
    """Threads switch mid-call far more often than under real load, so a shared object that is
    not safe shows it within a few hundred requests rather than a few thousand."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(interval)


def test_sixteen_clients_asking_in_three_languages_get_no_server_error(serve, racing):
    served = serve()
    seeds = {p.name: p.read_bytes() for p in sorted(SEEDS.iterdir())}
    assert upload(served.client, seeds | {k: v.encode() for k, v in CORPUS.items()}).status_code == 200
    shared_conversation = served.client.post("/ask", json={"question": "Who is Gaby Coca?"}).json()["conversation_id"]
    statuses: list[int] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def ask(k: int) -> None:
        with httpx.Client(base_url=served.client.base_url, timeout=120) as client:
            start.wait()
            for n, question in enumerate(_questions(k)):
                body = {"question": question}
                if n % 4 == 0:  # turns of one conversation from every thread at once
                    body["conversation_id"] = shared_conversation
                try:
                    status = client.post("/ask", json=body).status_code
                except httpx.HTTPError as exc:
                    with lock:
                        failures.append(repr(exc))
                    continue
                with lock:
                    statuses.append(status)

    threads = [threading.Thread(target=ask, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert failures == []
    assert [s for s in statuses if s != 200] == []
    assert len(statuses) == THREADS * QUESTIONS_EACH
    turns = served.client.post("/ask", json={"question": "And what did she announce?",
                                             "conversation_id": shared_conversation})
    assert turns.status_code == 200
