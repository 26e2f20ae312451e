"""No leak under load: two collections, two keys, N clients (half with each key) asking for S
seconds; every citation's doc_id is checked against the asking key's collection.

Starts the real app (RAG_EMBEDDING_MODEL, default multilingual-e5-small) with uvicorn on a
loopback port over a temporary index: collection a holds the seeds, b the seeds (same sources,
other doc_ids) and a fact a lacks. Prints the answers and citations per key, the citations that
crossed collections (the goal is zero), the non-200 count and the /ask latency per key.

    .venv/bin/python bench/collections_load.py [--clients 20] [--seconds 30]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import httpx

from _common import ROOT, served, table
from ask_load import percentile

sys.path.append(str(ROOT / "tests" / "service"))
from two_collections import ADMIN, ask_under_load, fill, keyed_settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings, keys = keyed_settings(Path(tmp) / "index")  # and RAG_* of the environment
        with served(settings) as client:
            client.headers["Authorization"] = f"Bearer {ADMIN}"
            holders = fill(client, keys)
            for holder in holders.values():  # warm: the model, and each key's first answer
                httpx.post(f"{client.base_url}/ask", json={"question": "Warm-up?"}, headers=holder.headers,
                           timeout=120).raise_for_status()
            load = ask_under_load(str(client.base_url), list(holders.values()), clients=args.clients,
                                  seconds=args.seconds)
    rows = [("clients x seconds", f"{args.clients} x {args.seconds:g} (half with each key)")]
    for name, milliseconds in load.milliseconds.items():
        rows.append((f"{name}: answers, citations", f"{load.answers[name]}, {load.citations[name]}"))
        p50, p95 = percentile(milliseconds, 50), percentile(milliseconds, 95)
        rows.append((f"{name}: /ask p50 / p95", f"{p50:.0f} / {p95:.0f} ms"))
    rows += [("citations across collections", f"{len(load.crossings)}  (goal 0)"),
             ("non-200 answers, client errors", f"{sum(n for s, n in load.statuses.items() if s != 200)}, "
                                                f"{len(load.failures)}")]
    print(table(rows))
    if load.crossings:
        print("\n".join(load.crossings[:20]))


if __name__ == "__main__":
    main()
