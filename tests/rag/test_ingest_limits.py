"""`rag ingest FOLDER` with hostile content: links out of the folder, control characters in names,
and bombs, each skipped with its reason while the rest of the folder goes in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.cli import main

ROOT = Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT / "tests" / "service"))

from bomb_files import docx_bomb, nested_html, pdf_many_pages  # noqa: E402
from rss import status_kb  # noqa: E402

MB = 1024 * 1024
BOUND = 60  # seconds, with the parser's limits at 10 s


@pytest.fixture()
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "hash")
    return tmp_path


def ingest(*args: str) -> dict:
    result = CliRunner().invoke(main, ["ingest", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def skipped(report: dict) -> dict[str, str]:
    return {s["source"]: s["reason"] for s in report["skipped"]}


@pytest.fixture()
def folder(env) -> Path:
    inside = env / "docs"
    inside.mkdir()
    (inside / "notes.txt").write_text("The shelter opens at eight.", "utf-8")
    outside = env / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text("The password is swordfish.", "utf-8")
    (inside / "passwd.txt").symlink_to(outside / "secret.txt")
    (inside / "elsewhere").symlink_to(outside, target_is_directory=True)
    (inside / "alias.txt").symlink_to(inside / "notes.txt")  # stays inside: read
    return inside


def test_links_out_of_the_folder_are_refused_per_file(folder):
    report = ingest(str(folder))
    assert sorted(d["source"] for d in report["added"]) == ["alias.txt", "notes.txt"]
    reasons = skipped(report)
    assert set(reasons) == {"passwd.txt", "elsewhere"}
    assert "outside the ingested folder" in reasons["passwd.txt"] and "--follow-links" in reasons["passwd.txt"]
    assert "link to a folder" in reasons["elsewhere"]


def test_follow_links_reads_them(folder):
    report = ingest(str(folder), "--follow-links")
    assert sorted(d["source"] for d in report["added"]) == ["alias.txt", "elsewhere/secret.txt", "notes.txt",
                                                             "passwd.txt"]
    assert report["skipped"] == []


def test_a_link_loop_is_walked_once_with_follow_links(folder):
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    report = ingest(str(folder), "--follow-links")
    assert "notes.txt" in [d["source"] for d in report["added"]]


def test_a_name_with_a_newline_is_refused_with_an_escaped_name(env):
    docs = env / "docs"
    docs.mkdir()
    (docs / "fine.txt").write_text("A fine document.", "utf-8")
    (docs / "evil\nskipped fine.txt: forged.txt").write_text("Forged.", "utf-8")
    report = ingest(str(docs))
    assert [d["source"] for d in report["added"]] == ["fine.txt"]
    assert skipped(report) == {"evil\\nskipped fine.txt: forged.txt":
                               "the file name holds control characters (such as a newline); rename the file"}
    text = CliRunner().invoke(main, ["ingest", str(docs)], catch_exceptions=False).output
    assert len([line for line in text.splitlines() if "skipped" in line]) == 2  # the summary and one file


def test_a_folder_of_bombs_is_ingested_in_bounded_time_and_memory(env):
    docs = env / "docs"
    docs.mkdir()
    (docs / "bomb.docx").write_bytes(docx_bomb(1100 * MB))
    (docs / "pages.pdf").write_bytes(pdf_many_pages(100_000))
    (docs / "slow.pdf").write_bytes(pdf_many_pages(100_000, declared=1))
    (docs / "nested.html").write_bytes(nested_html(100_000))
    (docs / "good.txt").write_text("The clinic is open on Saturdays.", "utf-8")
    environment = {**os.environ, "RAG_INDEX_DIR": str(env / "index"), "RAG_EMBEDDING_MODEL": "hash",
                   "RAG_PARSE_MEMORY_MB": "512", "RAG_PARSE_CPU_SECONDS": "10", "RAG_PARSE_TIMEOUT_SECONDS": "10"}
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", str(docs), "--json"], env=environment,
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while process.poll() is None and time.monotonic() - started < BOUND:
        peak = max(peak, status_kb(process.pid, "VmHWM"))
        time.sleep(0.05)
    out, err = process.communicate(timeout=BOUND)
    assert process.returncode == 0, err
    report = json.loads(out)
    assert sorted(d["source"] for d in report["added"]) == ["good.txt", "nested.html"]
    reasons = skipped(report)
    assert "RAG_MAX_EXTRACTED_BYTES" in reasons["bomb.docx"] and "RAG_MAX_PDF_PAGES" in reasons["pages.pdf"]
    # Its pages are found one by one while memory grows: whichever limit the machine's speed
    # reaches first refuses it, and each names itself.
    assert any(limit in reasons["slow.pdf"] for limit in ("RAG_MAX_PDF_PAGES", "RAG_PARSE_CPU_SECONDS",
                                                          "RAG_PARSE_TIMEOUT_SECONDS", "RAG_PARSE_MEMORY_MB"))
    assert time.monotonic() - started < BOUND
    assert peak / 1024 < 400  # the ingest process itself; the bombs expand in its parser, if anywhere
