"""Hostile uploads against the real service: per bomb, the answer, its time, and memory.

Starts `rag serve` in its own process over a fresh index (default settings, so the default
parser limits; --model to change the embedding model), uploads each bomb to POST /documents and,
while it is parsed, asks a question again and again. Prints per bomb: the HTTP status, seconds,
the service's peak RSS during the upload (and its VmHWM over its life so far), the peak RSS of
its parser processes, and the questions answered meanwhile with the slowest answer's time.

    .venv/bin/python bench/bombs.py [--model hash]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "tests" / "service"))

from bomb_files import (docx_bomb, docx_lying_header, docx_many_paragraphs, nested_html,  # noqa: E402
                        pdf_deep_nesting, pdf_many_pages)
from rss import status_kb, watch  # noqa: E402

MB = 1024 * 1024
QUESTION = "When does the harbour museum open?"
BOMBS = {
    "docx 1.1 GB of XML (ZIP bomb)": ("bomb.docx", lambda: docx_bomb(1100 * MB)),
    "docx with lying ZIP headers": ("liar.docx", lambda: docx_lying_header(300 * MB)),
    "docx, 2M paragraphs (DOM)": ("dom.docx", lambda: docx_many_paragraphs(2_000_000)),
    "PDF, 100k pages": ("pages.pdf", lambda: pdf_many_pages(100_000)),
    "PDF, 100k pages, /Count 1": ("count.pdf", lambda: pdf_many_pages(100_000, declared=1)),
    "PDF, 100k-deep nesting": ("deep.pdf", lambda: pdf_deep_nesting(100_000)),
    "HTML, 100k nested divs": ("nested.html", lambda: nested_html(100_000)),
}


def start_service(index_dir: Path, model: str | None) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    if model:
        env["RAG_EMBEDDING_MODEL"] = model
    process = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz").status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the service did not start")


def asking(client: httpx.Client, stop: threading.Event, latencies: list[float]) -> None:
    while not stop.is_set():
        started = time.monotonic()
        if client.post("/ask", json={"question": QUESTION}).status_code == 200:
            latencies.append(time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="RAG_EMBEDDING_MODEL of the service (default: its default)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        service, url = start_service(Path(tmp) / "index", args.model)
        try:
            with httpx.Client(base_url=url, timeout=600) as client:
                client.post("/documents", files=[("files", ("museum.txt", b"The harbour museum opens at nine."))])
                print(f"{'bomb':32} {'bytes':>9} {'status':>6} {'seconds':>8} {'service MB':>10} {'(HWM)':>6} "
                      f"{'parser MB':>9} {'asks':>5} {'slowest':>8}  reason")
                for label, (name, make) in BOMBS.items():
                    data = make()
                    stop, latencies = threading.Event(), []
                    asker = threading.Thread(target=asking, args=(httpx.Client(base_url=url, timeout=600), stop,
                                                                  latencies))
                    started = time.monotonic()
                    with watch(service.pid) as peaks:
                        asker.start()
                        response = client.post("/documents", files=[("files", (name, data))])
                        seconds = time.monotonic() - started
                        stop.set()
                        asker.join()
                    body = response.json()
                    reason = body["refused"][0]["reason"] if body.get("refused") else "indexed"
                    print(f"{label:32} {len(data):>9} {response.status_code:>6} {seconds:>8.1f} "
                          f"{peaks.process_mb:>10.0f} {status_kb(service.pid, 'VmHWM') / 1024:>6.0f} "
                          f"{peaks.children_mb:>9.0f} {len(latencies):>5} "
                          f"{max(latencies, default=0):>8.2f}  {reason[:90]}", flush=True)
        finally:
            service.terminate()
            service.wait(timeout=30)


if __name__ == "__main__":
    main()
