"""`rag ingest --cluster`: a real Dask LocalCluster of two worker processes, against a local ingest
of the same files."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

distributed = pytest.importorskip("distributed")

from rag import cluster  # noqa: E402
from rag.cli import main  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.settings import Settings  # noqa: E402

from mail_files import eml_bytes  # noqa: E402


@pytest.fixture(scope="module")
def scheduler():
    """Two worker processes (as `dask worker` would run), one thread each."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def write_documents(files, count: int = 6) -> Path:
    for n in range(count):
        sentences = (f"Witness {n} saw the shipment number {n * 7 + k} leave the port of Valparaíso at dawn."
                     for k in range(40))
        files.text(f"notes/{n:02}.md", f"# Case {n}\n\n" + " ".join(sentences))
    files.html("page.html", "Seizure", "<p>The customs office seized forty containers in March.</p>")
    files.raw("mail.eml", eml_bytes("Report", "See the attached note.", [("note.txt", b"The note names Gaby Coca.")]))
    files.raw("broken.pdf", b"%PDF-1.4 not really a PDF")
    return files.root


def engine_at(folder: Path, model: str, embedder=None) -> Engine:
    return Engine(Settings(index_dir=folder, embedding_model=model), embedder=embedder)


def contents(engine: Engine) -> tuple[list, dict]:
    """The documents as listed, and each chunk's (doc_id, ordinal) -> (offsets, text, vector)."""
    documents = sorted((d.doc_id, d.source, d.format, d.language, d.chars, d.chunks, d.content_hash)
                       for d in engine.documents())
    rows = engine.index.store.db.execute('SELECT doc_id, ordinal, start, "end", text, embedding FROM chunks').fetchall()
    chunks = {(doc_id, ordinal): (start, end, text, np.frombuffer(vector, np.float32))
              for doc_id, ordinal, start, end, text, vector in rows}
    return documents, chunks


def assert_same(local: Engine, remote: Engine) -> None:
    local_documents, local_chunks = contents(local)
    remote_documents, remote_chunks = contents(remote)
    assert remote_documents == local_documents
    assert remote_chunks.keys() == local_chunks.keys()
    for key, (start, end, text, vector) in local_chunks.items():
        assert remote_chunks[key][:3] == (start, end, text)
        assert np.allclose(remote_chunks[key][3], vector, atol=1e-5), key


def skipped(report) -> list[tuple[str, str]]:
    return sorted((s.source, s.reason) for s in report.skipped)


@pytest.mark.integration
def test_a_cluster_ingest_writes_what_a_local_one_does(scheduler, files, tmp_path, real_embedder, check):
    folder = write_documents(files)
    local = engine_at(tmp_path / "local", "all-MiniLM-L6-v2", real_embedder)
    remote = engine_at(tmp_path / "remote", "all-MiniLM-L6-v2", real_embedder)
    try:
        expected = local.ingest_paths([folder])
        counted = []
        report = remote.ingest_paths([folder], cluster=scheduler.scheduler_address, progress=counted.append)
        assert len(report.added) == len(expected.added) == 9  # 6 notes, the page, the mail and its note
        assert report.chunks == expected.chunks
        assert skipped(report) == skipped(expected) and skipped(report)[0][0] == "broken.pdf"
        assert sum(counted) == 10  # every file and the attachment, once each
        assert_same(local, remote)
        check.consistent(remote)
        again = remote.ingest_paths([folder], cluster=scheduler.scheduler_address)
        assert len(again.unchanged) == 9 and not again.added
    finally:
        local.close()
        remote.close()


def test_a_worker_killed_mid_ingest_leaves_a_consistent_index(scheduler, files, tmp_path, monkeypatch, check):
    folder = write_documents(files, count=16)
    # A commit per file, so that a worker dies between commits with files still out on the cluster.
    monkeypatch.setattr("rag.engine.WRITE_BATCH_CHARS", 1)
    local = engine_at(tmp_path / "local", "hash")
    remote = engine_at(tmp_path / "remote", "hash")
    with distributed.Client(scheduler.scheduler_address, set_as_default=False) as client:
        victim = next(iter(client.run(os.getpid).values()))
    killed = []

    def kill_once(done: int) -> None:
        if not killed:
            os.kill(victim, signal.SIGKILL)
            killed.append(remote.index.store.generation())

    try:
        local.ingest_paths([folder])
        report = remote.ingest_paths([folder], cluster=scheduler.scheduler_address, progress=kill_once)
        assert killed and remote.index.store.generation() > killed[0] + 1  # commits went on after the kill
        assert len(report.added) == 19
        check.consistent(remote)
        assert_same(local, remote)
    finally:
        local.close()
        remote.close()


# The writer, in its own process, committing a file at a time so that it dies between commits.
CLIENT = """
import sys
import rag.engine
from rag.engine import Engine
from rag.settings import Settings

rag.engine.WRITE_BATCH_CHARS = 1
Engine(Settings()).ingest_paths([sys.argv[1]], cluster=sys.argv[2])
"""


def generation(index: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{index / 'index.sqlite'}?mode=ro", uri=True)) as db:
            return int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
    except (sqlite3.Error, TypeError):  # not yet created
        return -1


def test_a_client_killed_between_commits_leaves_the_last_good_index(scheduler, files, tmp_path, check):
    folder = write_documents(files, count=40)
    index = tmp_path / "remote"
    environment = {**os.environ, "RAG_INDEX_DIR": str(index), "RAG_EMBEDDING_MODEL": "hash"}
    client = subprocess.Popen([sys.executable, "-c", CLIENT, str(folder), scheduler.scheduler_address],
                              env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while generation(index) < 3:
        assert client.poll() is None, client.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    client.send_signal(signal.SIGKILL)
    client.wait(timeout=30)
    remote = engine_at(index, "hash")
    local = engine_at(tmp_path / "local", "hash")
    try:
        kept = len(remote.documents())
        assert 0 < kept < 43
        check.consistent(remote)
        report = remote.ingest_paths([folder], cluster=scheduler.scheduler_address)
        assert len(report.unchanged) == kept and len(report.added) == 43 - kept
        local.ingest_paths([folder])
        assert_same(local, remote)
    finally:
        local.close()
        remote.close()


def test_an_unreachable_scheduler_is_one_line_saying_what_to_do(files, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1.0)
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "hash")
    files.text("a.md", "A note.")
    result = CliRunner().invoke(main, ["ingest", str(files.root), "--cluster", "tcp://127.0.0.1:9", "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert "dask scheduler" in lines[0] and "without --cluster" in lines[0]


def test_the_cli_reports_a_cluster_ingest_as_json(scheduler, files, tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "hash")
    folder = write_documents(files, count=2)
    result = CliRunner().invoke(main, ["ingest", str(folder), "--cluster", scheduler.scheduler_address, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["added"]) == 5 and [s["source"] for s in report["skipped"]] == ["broken.pdf"]
