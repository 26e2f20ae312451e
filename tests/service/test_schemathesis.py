"""Schemathesis over the real app: requests generated from /openapi.json and sent to uvicorn,
answered as the schema says by every default check, in every phase (examples, coverage,
fuzzing, stateful), without and with RAG_API_KEY.

Bounded for the suite: a fixed seed, a few examples per operation, a time cap. The CLI runs it
(schemathesis' pytest loader does not work with this pytest); its JSON report gives the counts.
bench/schemathesis_run.py runs a larger campaign with the same configuration, schemathesis.toml.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from live_service import CORPUS, live, upload
from rag.settings import Settings
from service.app import create_app

ROOT = Path(__file__).resolve().parents[2]
KEY = "schemathesis key"
CAP_SECONDS = 300


@pytest.mark.parametrize("key", [None, KEY], ids=["no-key", "key"])
def test_generated_requests_are_answered_as_the_schema_says(tmp_path, key):
    settings = Settings(index_dir=tmp_path / "index", embedding_model="hash", api_key=key)
    headers = {"Authorization": f"Bearer {key}"} if key else None
    report = tmp_path / "report.json"
    command = [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(ROOT / "schemathesis.toml"),
               "run", "--max-examples", "4", "--seed", "1", "--workers", "1",
               "--report", "json", "--report-json-path", str(report)]
    if key:
        command += ["--header", f"Authorization: Bearer {key}"]
    with live(create_app(settings), headers=headers) as served:
        assert upload(served.client, CORPUS).status_code == 200
        run = subprocess.run([*command, f"{served.client.base_url}/openapi.json"], capture_output=True, text=True,
                             timeout=CAP_SECONDS, check=False, cwd=tmp_path)
    result = json.loads(report.read_text("utf-8"))
    assert result["operations"]["tested"] == 13, run.stdout  # with GET /collections, POST and GET /uploads
    assert result["test_cases"]["generated"] > 100, run.stdout
    assert (result["failures"], result["errors"]) == ([], []), run.stdout
    assert run.returncode == 0, run.stdout
