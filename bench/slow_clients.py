"""Slow clients: N connections that stay idle, trickle their headers, or trickle a body, while a
client keeps asking. Prints, per kind, how many the server closed and after how long, and the
/ask latency meanwhile.

Starts the real app with uvicorn (service/server.py's configuration, the RAG_* timeouts as set)
on a loopback port over a temporary index of the seeds.

    .venv/bin/python bench/slow_clients.py [--connections 200] [--wait 30]
"""

from __future__ import annotations

import argparse
from functools import partial
import socket
import sys
import threading
import time

from _common import ROOT, indexed, served, table
from ask_load import percentile

sys.path.append(str(ROOT / "tests" / "service"))
from slow_client import closed_after  # noqa: E402

HEAD = b"POST /ask HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: 60\r\n"


def behave(kind: str, sock: socket.socket, stop: float) -> None:
    """What a slow client sends: nothing, a header line a second, or a body byte a second."""
    if kind == "idle":
        return
    sock.sendall(HEAD if kind == "slow body" else HEAD[:30])
    if kind == "slow body":
        sock.sendall(b"\r\n")
    n = 0
    while time.monotonic() < stop:
        sock.sendall(b"x" if kind == "slow body" else f"X-Slow-{n}: y\r\n".encode())
        n += 1
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--wait", type=float, default=30.0, help="seconds a slow client holds on at most")
    args = parser.parse_args()
    rows = []
    with indexed() as settings:
        rows.append(("timeouts (keep-alive, header, body)",
                     f"{settings.keep_alive_timeout:g} s, {settings.header_timeout:g} s, "
                     f"{settings.body_timeout:g} s + 1 s per {settings.body_min_rate} bytes"))
        with served(settings) as client:
            port = client.base_url.port
            client.post("/ask", json={"question": "Warm-up: is the model loaded?"}).raise_for_status()
            for kind in ("idle", "slow headers", "slow body"):
                results: list[float | None] = []
                misbehave = partial(behave, kind)
                threads = [threading.Thread(target=lambda: results.append(closed_after(port, misbehave, args.wait)))
                           for _ in range(args.connections)]
                for t in threads:
                    t.start()
                ask_ms, statuses = [], []
                while any(t.is_alive() for t in threads):
                    started = time.perf_counter()
                    statuses.append(client.post("/ask", json={"question": "Who implements TRACK4TIP?"}).status_code)
                    ask_ms.append((time.perf_counter() - started) * 1000)
                    time.sleep(0.1)
                for t in threads:
                    t.join()
                closed = [r for r in results if r is not None]
                rows.append((f"{args.connections} {kind}: closed", f"{len(closed)} of {len(results)}, after "
                             f"{min(closed, default=float('nan')):.1f}-{max(closed, default=float('nan')):.1f} s"))
                rows.append(("  /ask meanwhile p50 / p99, non-200", f"{percentile(ask_ms, 50):.0f} / "
                             f"{percentile(ask_ms, 99):.0f} ms, {sum(s != 200 for s in statuses)} of {len(statuses)}"))
    print(table(rows))


if __name__ == "__main__":
    main()
