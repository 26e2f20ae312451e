"""Shared helpers of the benchmarks: a corpus folder, the median, a printed table."""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
XQUAD = ROOT.parent / "shared" / "eval" / "xquad" / "xquad.en.json"


def corpus(folder: Path, *, paragraphs: int = 240) -> Path:
    """The seeds plus XQuAD's English paragraphs (when present) as .txt files."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS.iterdir():
        shutil.copy(seed, folder / seed.name)
    if XQUAD.exists():
        data = json.loads(XQUAD.read_text("utf-8"))["data"]
        contexts = [p["context"] for article in data for p in article["paragraphs"]][:paragraphs]
        for n, text in enumerate(contexts):
            (folder / f"xquad_{n:03d}.txt").write_text(text, "utf-8")
    return folder


@contextmanager
def indexed(folder: Path = SEEDS, **update) -> Iterator:
    """Settings (RAG_* of the environment, then `update`) of a fresh index, in a temporary folder
    removed afterwards, that holds `folder`'s documents."""
    from rag.engine import Engine
    from rag.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings().model_copy(update={"index_dir": Path(tmp) / "index", **update})
        seeding = Engine(settings)
        seeding.ingest_paths([folder])
        seeding.close()
        yield settings


def timed_ms(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


@contextmanager
def served(settings) -> Iterator[httpx.Client]:
    """The real app under uvicorn on a free loopback port, and a keep-alive client to it."""
    from service.app import create_app
    from service.server import options

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False, **options(settings)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)
