"""What collection filtering costs: warm POST /ask median latency of a key limited to one of two
collections, against an admin key that searches everything unfiltered, in one run, interleaved
(goal: within 1.2x). Also the admin naming both collections: the filter present, nothing left out.

Starts the real app (RAG_EMBEDDING_MODEL, default multilingual-e5-small) with uvicorn on a
loopback port over a temporary index: collection a holds the seeds and half of XQuAD's English
paragraphs (when shared/ has them), collection b the other half. Asks the seed dev questions.

    .venv/bin/python bench/collections_cost.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _common import ROOT, corpus, median, served, table, timed_ms
from ask_latency import questions

sys.path.append(str(ROOT / "tests" / "service"))
from two_collections import ADMIN, keyed_settings  # noqa: E402


def split(folder: Path) -> dict[str, Path]:
    """The seeds and every other XQuAD paragraph in folder a, the rest in folder b."""
    files = sorted(corpus(folder / "corpus").iterdir())
    b = set([f for f in files if f.name.startswith("xquad_")][1::2])
    parts = {name: folder / name for name in ("a", "b")}
    for file in files:
        target = parts["b" if file in b else "a"]
        target.mkdir(exist_ok=True)
        file.rename(target / file.name)
    return parts


def index(settings, parts: dict[str, Path]) -> None:
    """Each folder into its collection, before serving (an upload this size would outlast a client's timeout)."""
    from rag.engine import Engine

    engine = Engine(settings)
    try:
        for name, folder in parts.items():
            engine.ingest_paths([folder], collection=name)
    finally:
        engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="times each question is asked by each caller")
    args = parser.parse_args()
    qs = questions()
    with tempfile.TemporaryDirectory() as tmp:
        settings, keys = keyed_settings(Path(tmp) / "index")  # and RAG_* of the environment
        parts = split(Path(tmp))
        index(settings, parts)
        counts = {name: len(list(folder.iterdir())) for name, folder in parts.items()}
        with served(settings) as client:
            admin = {"Authorization": f"Bearer {ADMIN}"}
            callers = {"everything, unfiltered (admin)": (admin, None),
                       "collection a only (key A)": ({"Authorization": f"Bearer {keys['a']}"}, None),
                       "both collections named (admin)": (admin, ["a", "b"])}

            def ask(headers: dict, collections: list[str] | None, question: str) -> None:
                body = {"question": question} | ({"collections": collections} if collections else {})
                client.post("/ask", json=body, headers=headers).raise_for_status()

            for headers, collections in callers.values():  # warm: the model, each question's first answer
                for q in qs:
                    ask(headers, collections, q)
            ms: dict[str, list[float]] = {name: [] for name in callers}
            for _ in range(args.rounds):  # interleaved, so machine noise hits every caller alike
                for q in qs:
                    for name, (headers, collections) in callers.items():
                        ms[name] += timed_ms(lambda: ask(headers, collections, q), 1)
    base = median(ms["everything, unfiltered (admin)"])
    rows = [("documents in a, b", f"{counts['a']}, {counts['b']}"),
            ("questions x rounds", f"{len(qs)} x {args.rounds}")]
    rows += [(f"warm POST /ask median, {name}", f"{median(v):.2f} ms ({median(v) / base:.2f}x)")
             for name, v in ms.items()]
    rows.append(("goal", "filtered within 1.2x of unfiltered"))
    print(table(rows))


if __name__ == "__main__":
    main()
