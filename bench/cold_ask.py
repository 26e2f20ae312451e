"""Cold `rag ask` from a shell: a fresh process per question, as a user at a terminal pays it.

Builds a seeds index per model setting in a temporary folder, then runs
`rag ask "¿Quién coordina la red REDTRAM?"` as a new process 5 times per setting, alternating
settings run by run so the machine's noise falls on all alike; prints each wall time and the
median. Settings: the default multilingual-e5-small, and the bundled all-MiniLM-L6-v2 on ONNX
Runtime and on torch. Goal: the default under 2 s.

    .venv/bin/python bench/cold_ask.py [--runs 5] [--question "..."]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from _common import ROOT, SEEDS, indexed, median, table
from rag.settings import BUNDLED_MODEL, E5_MODEL

SETTINGS = {
    f"{E5_MODEL} (default)": {"embedding_model": E5_MODEL},
    f"{BUNDLED_MODEL}, onnx": {"embedding_model": BUNDLED_MODEL, "embedding_backend": "onnx"},
    f"{BUNDLED_MODEL}, torch": {"embedding_model": BUNDLED_MODEL, "embedding_backend": "torch"},
}


def rag_command() -> list[str]:
    """The `rag` entry point beside this Python, or the module run by it."""
    script = Path(sys.executable).parent / "rag"
    return [str(script)] if script.exists() else [sys.executable, "-m", "rag.cli"]


def cold_ask(env: dict[str, str], question: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([*rag_command(), "ask", question], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0 or "REDTRAM" not in done.stdout:
        raise SystemExit(f"rag ask failed ({done.returncode}): {done.stdout}{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default="¿Quién coordina la red REDTRAM?")
    args = parser.parse_args()
    with ExitStack() as stack:
        envs = {}
        for label, update in SETTINGS.items():
            settings = stack.enter_context(indexed(SEEDS, **update))
            envs[label] = dict(os.environ, PYTHONPATH=str(ROOT), RAG_INDEX_DIR=str(settings.index_dir),
                               RAG_EMBEDDING_MODEL=update["embedding_model"],
                               RAG_EMBEDDING_BACKEND=update.get("embedding_backend", "onnx"))
        times: dict[str, list[float]] = {label: [] for label in SETTINGS}
        for run in range(args.runs):
            labels = list(SETTINGS)[run % len(SETTINGS):] + list(SETTINGS)[:run % len(SETTINGS)]
            for label in labels:
                times[label].append(cold_ask(envs[label], args.question))
    print(table([(label, " ".join(f"{s:5.2f}" for s in runs) + f" s | median {median(runs):.2f} s")
                 for label, runs in times.items()]))
    print(f"`rag ask {args.question!r}` on the seeds, a fresh process each run (goal: default under 2 s)")


if __name__ == "__main__":
    main()
