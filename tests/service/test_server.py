"""Slow and idle clients against the served app: each kind is closed within its time, and
questions are answered meanwhile."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from live_service import CORPUS, KNOWN_QUESTION, upload
from slow_client import closed_after

LIMITS = {"keep_alive_timeout": 1.0, "header_timeout": 1.0, "body_timeout": 1.0, "body_min_rate": 100_000}
# Generous: the point is that they are closed at all, rather than held for as long as the client likes.
CLOSED_WITHIN = 6.0
BODY = b'{"question": "Who built the lighthouse on Gull Point?"}'


def _idle(sock: socket.socket, stop: float) -> None:
    pass


def _slow_headers(sock: socket.socket, stop: float) -> None:
    sock.sendall(b"POST /ask HTTP/1.1\r\nHost: x\r\n")
    for n in range(100):
        sock.sendall(f"X-Slow-{n}: y\r\n".encode())
        time.sleep(0.2)


def _slow_body(sock: socket.socket, stop: float) -> None:
    sock.sendall(b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(BODY))
    for byte in BODY:
        sock.sendall(bytes([byte]))
        time.sleep(0.2)


@pytest.mark.parametrize("behave", [_idle, _slow_headers, _slow_body], ids=["idle", "slow headers", "slow body"])
def test_slow_clients_are_closed_in_time_while_questions_are_answered(serve, behave):
    served = serve(**LIMITS)
    assert upload(served.client, CORPUS).status_code == 200
    port = int(served.client.base_url.port)
    results: list[float | None] = []
    clients = [threading.Thread(target=lambda: results.append(closed_after(port, behave, CLOSED_WITHIN * 3)))
               for _ in range(20)]
    for t in clients:
        t.start()
    answered = []
    while any(t.is_alive() for t in clients):
        answered.append(served.client.post("/ask", json={"question": KNOWN_QUESTION}).status_code)
        time.sleep(0.1)
    for t in clients:
        t.join()
    assert len(results) == 20 and all(r is not None and r < CLOSED_WITHIN for r in results), results
    assert answered and set(answered) == {200}


def test_an_honest_request_is_untouched(serve):
    served = serve(**LIMITS)
    assert upload(served.client, CORPUS).status_code == 200
    time.sleep(1.5)  # the client's kept-alive connection is closed meanwhile; it opens another
    assert served.client.post("/ask", json={"question": KNOWN_QUESTION}).json()["found"] is True


def test_a_client_closed_before_its_answer_is_not_counted_as_a_server_failure(serve):
    served = serve(**LIMITS)
    port = int(served.client.base_url.port)
    assert all(closed_after(port, _slow_body, CLOSED_WITHIN * 3) is not None for _ in range(3))
    metrics = served.client.get("/metrics").text
    asks = [line for line in metrics.splitlines() if line.startswith("rag_http_requests_total") and '"/ask"' in line]
    assert any('status="499"' in line for line in asks), asks
    assert not any('status="500"' in line for line in asks), asks
