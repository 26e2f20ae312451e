"""Servers for the service tests, with the fake embedder.

`client` speaks to one server per module over CORPUS, for tests that leave the index as it was
(that is most of what they check); `serve` starts fresh servers for tests that change it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from live_service import CORPUS, KNOWN_QUESTION, Served, live, upload
from rag.settings import Settings
from service.app import create_app


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """serve(**settings) starts a server over a fresh index with the fake embedder."""
    with ExitStack() as stack:
        numbers = itertools.count()

        def start(*, headers: dict | None = None, **overrides) -> Served:
            values = {"index_dir": tmp_path / f"index{next(numbers)}", "embedding_model": "hash"}
            return stack.enter_context(live(create_app(Settings(**(values | overrides))), headers=headers))
        yield start


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"), embedding_model="hash")
    with live(create_app(settings)) as running:
        assert upload(running.client, CORPUS).status_code == 200
        yield running


@pytest.fixture
def client(shared: Served) -> httpx.Client:
    return shared.client


@pytest.fixture
def unharmed(client: httpx.Client) -> Callable[[], None]:
    """Call after a bad request: the index is as it was, and questions are still answered."""
    before = client.get("/documents").json()

    def check() -> None:
        assert client.get("/documents").json() == before
        answer = client.post("/ask", json={"question": KNOWN_QUESTION})
        assert answer.status_code == 200 and answer.json()["found"] is True

    return check
