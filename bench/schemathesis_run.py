"""A schemathesis campaign over the real app, served by uvicorn on a loopback port: every default
check, every phase (examples, coverage, fuzzing, stateful), without and with RAG_API_KEY.

Prints the cases generated and the failures of each run; exits 1 on any failure. The test suite
runs a small fixed-seed campaign (tests/service/test_schemathesis.py); this one is for more cases.

    .venv/bin/python bench/schemathesis_run.py [--max-examples 100] [--seed 1] [--max-time 600]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, served, table
from rag.settings import Settings

KEY = "bench key"
CORPUS = [("files", ("lighthouse.txt", b"The lighthouse on Gull Point was built in 1874 by Margaret Holloway."))]


def campaign(base_url: str, *, key: str | None, max_examples: int, seed: int, max_time: int | None,
             report: Path) -> dict:
    """Runs schemathesis' CLI against the served app; returns its JSON report."""
    command = [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(ROOT / "schemathesis.toml"),
               "run", f"{base_url}/openapi.json", "--max-examples", str(max_examples), "--seed", str(seed),
               "--workers", "1", "--report", "json", "--report-json-path", str(report)]
    if key:
        command += ["--header", f"Authorization: Bearer {key}"]
    if max_time:
        command += ["--max-time", str(max_time)]
    run = subprocess.run(command, capture_output=True, text=True, check=False, cwd=report.parent)
    result = json.loads(report.read_text("utf-8"))
    if result["failures"] or result["errors"]:
        print(run.stdout, file=sys.stderr)  # the failing cases, each with a curl line to reproduce it
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100, help="cases per operation and phase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-time", type=int, default=None,
                        help="seconds per run; fuzzing and stateful testing repeat until it is spent")
    args = parser.parse_args()
    rows, failed = [], False
    with tempfile.TemporaryDirectory() as tmp:
        for key in (None, KEY):
            label = "with a key" if key else "without a key"
            settings = Settings(index_dir=Path(tmp) / label, embedding_model="hash", api_key=key)
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            with served(settings) as client:
                assert client.post("/documents", files=CORPUS, headers=headers).status_code == 200
                result = campaign(str(client.base_url), key=key, max_examples=args.max_examples, seed=args.seed,
                                  max_time=args.max_time, report=Path(tmp) / f"{label}.json")
            cases = result["test_cases"]
            failures = [f"{f['code']} {f['title']} x{f['count']}: {', '.join(f['operations'])}"
                        for f in result["failures"]]
            failed = failed or bool(failures or result["errors"])
            rows.append((label, f"{cases['generated']} cases, {cases['unique_failures']} failures, "
                                f"{len(result['errors'])} errors, {result['running_time']:.0f} s"))
            rows += [("", failure) for failure in failures]
    print(f"schemathesis, seed {args.seed}, max {args.max_examples} examples per operation")
    print(table(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
