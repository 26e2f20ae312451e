"""Serving the app for real (uvicorn on a local port) and speaking to it over HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from fastapi import FastAPI

from service.server import options

# A small corpus in the three languages, for the fast tests with the 'hash' embedder.
CORPUS = {
    "lighthouse.md": (
        "# Harbour notes\n\n"
        "The old lighthouse on Gull Point was built in 1874 by the engineer Margaret Holloway. "
        "Its lamp could be seen from twenty nautical miles away.\n\n"
        "The keeper's cottage now houses a small museum about shipwrecks on the northern coast.\n"
    ),
    "recetas.txt": (
        "La tortilla de patatas se prepara con huevos, patatas y cebolla. "
        "La receta tradicional de la abuela Carmen lleva aceite de oliva de Jaén.\n"
    ),
    "projeto.txt": (
        "O projeto Rio Limpo foi criado em 2015 pela prefeitura de Curitiba. "
        "A iniciativa recolhe resíduos plásticos das margens do rio Belém.\n"
    ),
}
KNOWN_QUESTION = "Who built the lighthouse on Gull Point?"
LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")


@dataclass
class Served:
    app: FastAPI
    client: httpx.Client


@contextmanager
def live(app: FastAPI, *, headers: dict | None = None) -> Iterator[Served]:
    """Serves the app on a free local port from a background thread until the block ends."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # log_config=None leaves logging alone, so caplog sees the service's records.
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on",
                                           **options(app.state.settings)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start; see the log above")
        time.sleep(0.01)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=120) as client:
            yield Served(app, client)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@contextmanager
def no_outbound_connections() -> Iterator[list]:
    """Blocks, and lists, every connection this process tries to open to another machine."""
    attempts: list = []
    connect = socket.socket.connect

    def local_only(sock: socket.socket, address) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOCAL_HOSTS:
            attempts.append(address)
            raise OSError(f"test: outbound connection to {address} blocked")
        connect(sock, address)

    socket.socket.connect = local_only
    try:
        yield attempts
    finally:
        socket.socket.connect = connect


def upload(client: httpx.Client, files: dict[str, bytes | str] | list[tuple[str, bytes | str]]) -> httpx.Response:
    """POST /documents with these (name, content) pairs; a list allows repeated names."""
    pairs = files.items() if isinstance(files, dict) else files
    parts = [("files", (name, data.encode() if isinstance(data, str) else data)) for name, data in pairs]
    return client.post("/documents", files=parts)


def assert_error(response: httpx.Response, status: int, *fragments: str) -> str:
    """A JSON error of this status with a one-line detail holding the fragments; returns the detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail and "\n" not in detail
    for fragment in fragments:
        assert fragment in detail
    return detail


def assert_citations_hold(client: httpx.Client, answer: dict) -> None:
    for citation in answer["citations"]:
        text = client.get(f"/documents/{citation['doc_id']}/text").json()["text"]
        assert text[citation["start"]:citation["end"]] == citation["quote"]
