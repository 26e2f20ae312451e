"""The real app, with the real embedding model, over the seed documents, on a loopback port."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.settings import BUNDLED_MODEL, Settings
from service.app import create_app

ROOT = Path(__file__).resolve().parents[2]
# The service tests' server helper; tests/service is no package, so it is found by its folder.
sys.path.append(str(ROOT / "tests" / "service"))

from live_service import Served, live, upload  # noqa: E402


@contextmanager
def seeded(index_dir: Path, *, api_key: str | None = None) -> Iterator[Served]:
    """Serves a fresh index of copies of seeds/ (uploaded, so seeds/ itself is never touched)."""
    settings = Settings(index_dir=index_dir, embedding_model=BUNDLED_MODEL, api_key=api_key)
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else None
    with live(create_app(settings), headers=headers) as running:
        seeds = {path.name: path.read_bytes() for path in sorted((ROOT / "seeds").iterdir())}
        report = upload(running.client, seeds)
        assert report.status_code == 200, report.text
        yield running


def base_url(served: Served) -> str:
    return str(served.client.base_url)
