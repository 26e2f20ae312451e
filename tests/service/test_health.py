"""GET /healthz and GET /readyz: answered at once even when every worker thread is busy with a
question, and /readyz says 503 while the index is not open."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from live_service import KNOWN_QUESTION
from rag.settings import Settings
from service.app import create_app

ASKERS = 50  # more than the 40 threads of the pool that runs /ask


def test_probes_answer_while_questions_fill_every_worker_thread(serve):
    served = serve()
    engine = served.app.state.engine
    answer = engine.ask
    entered, release = threading.Semaphore(0), threading.Event()

    def held_ask(*args, **kwargs):
        entered.release()
        release.wait(30)
        return answer(*args, **kwargs)

    engine.ask = held_ask
    with ThreadPoolExecutor(ASKERS) as pool:
        asks = [pool.submit(served.client.post, "/ask", json={"question": KNOWN_QUESTION}) for _ in range(ASKERS)]
        try:
            for _ in range(40):  # every thread of the pool holds a question; the rest queue
                assert entered.acquire(timeout=30)
            for probe in ("/healthz", "/readyz"):
                started = time.monotonic()
                response = served.client.get(probe, timeout=10)
                # Queued behind the questions, it would wait for `release`, past the timeout.
                assert response.status_code == 200 and time.monotonic() - started < 2, probe
        finally:
            release.set()
        assert [a.result().status_code for a in asks] == [200] * ASKERS


def test_readyz_is_503_until_the_index_is_open(tmp_path):
    # Outside a `with` block the client runs no lifespan: the app has no engine, as while it starts.
    client = TestClient(create_app(Settings(index_dir=tmp_path / "index", embedding_model="hash")))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready" and "not open" in response.json()["detail"]
    assert client.get("/healthz").json() == {"status": "ok"}
