"""Warm POST /ask median latency, as a ratio to one bare query embedding measured in the same run.

Starts the real app with uvicorn on a loopback port over a temporary index of the seeds and
asks the dev questions over HTTP with a keep-alive client. Goal: ratio at most 2x.

    .venv/bin/python bench/ask_latency.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json

from _common import ROOT, indexed, median, served, table, timed_ms
from rag.embedding import load_embedder

DEV = ROOT.parent / "shared" / "eval" / "seeds_dev.jsonl"
FALLBACK = ["Which countries are in TRACK4TIP?", "Who implements TRACK4TIP?", "What is REDTRAM?"]


def questions() -> list[str]:
    if not DEV.exists():
        return FALLBACK
    rows = [json.loads(line) for line in DEV.read_text("utf-8").splitlines() if line.strip()]
    return [r["question"] for r in rows if r.get("question")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="times each question is asked")
    args = parser.parse_args()
    qs = questions()

    with indexed() as settings:
        with served(settings) as client:
            # The model and the vectors warmed by a question of none of the documents' words; then each
            # question's first ask, which embeds its close sentences (rag/meaning.py), and after it
            # the warm asks, which find them kept.
            client.post("/ask", json={"question": "Warm-up: is the model loaded?"}).raise_for_status()
            first_ms = [timed_ms(lambda: client.post("/ask", json={"question": q}).raise_for_status(), 1)[0]
                        for q in qs]
            embedder = load_embedder(settings.embedding_model)
            embedder.embed(["warm up"])
            ask_ms, embed_ms = [], []
            for _ in range(args.rounds):  # interleaved, so machine noise hits both alike
                for q in qs:
                    ask_ms += timed_ms(lambda: client.post("/ask", json={"question": q}).raise_for_status(), 1)
                    embed_ms += timed_ms(lambda: embedder.embed([q], kind="query"), 1)

    a, e, f = median(ask_ms), median(embed_ms), median(first_ms)
    print(table([
        ("questions x rounds", f"{len(qs)} x {args.rounds}"),
        ("bare query embedding, median", f"{e:.2f} ms"),
        ("warm POST /ask, median", f"{a:.2f} ms"),
        ("POST /ask p90", f"{sorted(ask_ms)[int(0.9 * len(ask_ms))]:.2f} ms"),
        ("ratio ask / embedding", f"{a / e:.2f}x  (goal <= 2x)"),
        ("first POST /ask of each question, median", f"{f:.2f} ms ({f / e:.2f}x the embedding)"),
    ]))


if __name__ == "__main__":
    main()
