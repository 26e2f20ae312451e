"""POST /ask under load: N clients asking for S seconds, with /healthz polled meanwhile.

Starts the real app with uvicorn (service/server.py's configuration) on a loopback port over a
temporary index of the seeds; each client asks the dev questions in turn over its own keep-alive
connection. Prints the non-200 count (the goal is zero), /ask p50/p95/p99 and /healthz p50/p99.

    .venv/bin/python bench/ask_load.py [--clients 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter

import httpx

from _common import indexed, served, table
from ask_latency import questions


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    qs = questions()

    with indexed() as settings:
        with served(settings) as client:
            client.post("/ask", json={"question": "Warm-up: is the model loaded?"}).raise_for_status()
            base = client.base_url
            stop = time.monotonic() + args.seconds
            lock = threading.Lock()
            statuses: Counter = Counter()
            ask_ms: list[float] = []
            health_ms: list[float] = []

            def asker(k: int) -> None:
                with httpx.Client(base_url=base, timeout=120) as own:
                    n = k
                    while time.monotonic() < stop:
                        started = time.perf_counter()
                        try:
                            status = own.post("/ask", json={"question": qs[n % len(qs)]}).status_code
                        except httpx.HTTPError as exc:
                            status = type(exc).__name__
                        took = (time.perf_counter() - started) * 1000
                        with lock:
                            statuses[status] += 1
                            ask_ms.append(took)
                        n += 1

            def poller() -> None:
                with httpx.Client(base_url=base, timeout=120) as own:
                    while time.monotonic() < stop:
                        started = time.perf_counter()
                        own.get("/healthz")
                        health_ms.append((time.perf_counter() - started) * 1000)
                        time.sleep(0.2)

            threads = [threading.Thread(target=asker, args=(k,)) for k in range(args.clients)]
            threads.append(threading.Thread(target=poller))
            for t in threads:
                t.start()
            for t in threads:
                t.join()

    non_200 = sum(count for status, count in statuses.items() if status != 200)
    print(table([
        ("clients x seconds", f"{args.clients} x {args.seconds:g}"),
        ("POST /ask requests", str(sum(statuses.values()))),
        ("non-200", f"{non_200}  {dict((s, c) for s, c in statuses.items() if s != 200) or ''}  (goal 0)"),
        ("POST /ask p50 / p95 / p99", " / ".join(f"{percentile(ask_ms, p):.0f} ms" for p in (50, 95, 99))),
        ("GET /healthz p50 / p99 during the load",
         " / ".join(f"{percentile(health_ms, p):.0f} ms" for p in (50, 99)) + f"  ({len(health_ms)} polls)"),
    ]))


if __name__ == "__main__":
    main()
