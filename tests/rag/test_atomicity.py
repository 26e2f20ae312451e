"""Crash safety of the index: a real ingest process killed with SIGKILL at any moment leaves the
previous index fully usable, and the next ingest finishes the job. One writer at a time."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from rag.errors import IndexBusy
from rag.lexical import FOLDER

ROOT = Path(__file__).resolve().parents[2]
DOCS = 900  # ~8 chunks each, so ~14 commits of GROUP_CHUNKS=512 chunks; a full ingest takes a few seconds
NEW_IN_V2 = 60

# The ingest a user runs, in its own process. CRASH_AT optionally makes the process SIGKILL itself at
# an exact point of the write path, the CRASH_AFTER-th time it gets there: nothing is faked, the
# process simply dies there.
CHILD = r"""
import os, signal, sys
import rag.index
from rag.engine import Engine
from rag.settings import Settings

crash, after, seen = os.environ.get("CRASH_AT", ""), int(os.environ.get("CRASH_AFTER", "1")), [0]
if os.environ.get("GROUP_CHUNKS"):
    rag.index.GROUP_CHUNKS = int(os.environ["GROUP_CHUNKS"])

def maybe_die():
    seen[0] += 1
    if seen[0] >= after:
        os.kill(os.getpid(), signal.SIGKILL)

if crash == "inside-transaction":
    from rag.store import Store
    insert = Store.insert_document
    def insert_then_die(db, *args):
        rows = insert(db, *args)
        maybe_die()
        return rows
    Store.insert_document = staticmethod(insert_then_die)
elif crash == "after-lexical-commit":  # Tantivy committed, SQLite's transaction not
    from rag.lexical import LexicalIndex
    commit = LexicalIndex.commit
    def commit_then_die(self, *args):
        commit(self, *args)
        maybe_die()
    LexicalIndex.commit = commit_then_die
elif crash == "mid-lexical-rebuild":  # the CRASH_AFTER-th chunk read back from SQLite
    from rag.lexical import LexicalIndex
    document = LexicalIndex._document
    def die_then_document(row):
        maybe_die()
        return document(row)
    LexicalIndex._document = staticmethod(die_then_document)
elif crash == "before-delta-write":
    import rag.vector_files
    write_delta = rag.vector_files.write_delta
    def die_then_write(*args):
        maybe_die()
        return write_delta(*args)
    rag.vector_files.write_delta = die_then_write
elif crash in ("mid-training", "mid-ivf-base-write"):  # an approximate index trained, or its base
    import rag.vectors
    build, replace, built = rag.vectors.build, os.replace, []
    def build_then_die(*args):
        built.append(build(*args))
        if crash == "mid-training":
            maybe_die()
        return built[-1]
    def crashing_replace(source, target):
        if built and os.path.basename(source).startswith(".vectors."):
            maybe_die()
        replace(source, target)
    rag.vectors.build = build_then_die
    os.replace = crashing_replace
elif crash in ("mid-delta-write", "after-delta-rename", "mid-base-write"):
    replace = os.replace
    prefix = ".vectors." if crash == "mid-base-write" else ".delta."
    def crashing_replace(source, target):
        if os.path.basename(source).startswith(prefix):
            if crash != "after-delta-rename":
                maybe_die()
            replace(source, target)
            if crash == "after-delta-rename":
                maybe_die()
        else:
            replace(source, target)
    os.replace = crashing_replace

report = Engine(Settings()).ingest_paths(sys.argv[1:])
print("done", len(report.added), len(report.replaced), len(report.unchanged), flush=True)
"""

WORDS = ("the prosecutor minister police border migrants trafficking network session training workshop report "
         "court victims investigation cooperation agreement judges customs officers region").split()


def write_corpus(folder: Path, count: int, seed: int, offset: int = 0) -> dict[str, str]:
    r = random.Random(seed)
    written = {}
    for n in range(offset, offset + count):
        paragraphs = [f"Office Q{n:04d}Z was opened in the city of C{n * 7 % 997:03d}W by the regional team."]
        for _ in range(8):
            paragraphs.append(" ".join(" ".join(r.choice(WORDS) for _ in range(r.randint(8, 16))).capitalize() + "."
                                       for _ in range(4)))
        source = f"group{n % 7}/doc{n:04d}.txt"
        (folder / source).parent.mkdir(parents=True, exist_ok=True)
        (folder / source).write_text("\n\n".join(paragraphs), encoding="utf-8")
        written[source] = "\n\n".join(paragraphs)
    return written


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    """v1: DOCS documents. v2: every third one changed, NEW_IN_V2 added (the same relative names)."""
    root = tmp_path_factory.mktemp("corpus")
    v1 = write_corpus(root / "v1", DOCS, seed=1)
    shutil.copytree(root / "v1", root / "v2")
    v2 = dict(v1)
    for n, source in enumerate(sorted(v1)):
        if n % 3 == 0:
            v2[source] = v1[source] + f"\n\nAddendum {n}: the agreement was renewed."
            (root / "v2" / source).write_text(v2[source], encoding="utf-8")
    v2.update(write_corpus(root / "v2", NEW_IN_V2, seed=2, offset=DOCS))
    return {"v1": root / "v1", "v2": root / "v2", "texts": {"v1": v1, "v2": v2}, "root": root}


def snapshot(engine) -> dict:
    """What a clean ingest must produce: the same documents, cut into the same chunks."""
    rows = engine.index.store.db.execute(
        'SELECT d.source, d.doc_id, d.content_hash, c.ordinal, c.start, c."end" '
        "FROM documents d JOIN chunks c ON c.doc_id = d.doc_id ORDER BY d.source, c.ordinal")
    out: dict = {}
    for source, doc_id, digest, ordinal, start, end in rows:
        out.setdefault(source, [doc_id, digest, []])[2].append((ordinal, start, end))
    return out


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> dict:
    """Clean, uninterrupted ingests: v1 into an empty index (kept as the 'previous index'), and v2."""
    from rag.engine import Engine
    from rag.settings import Settings

    out = {}
    for version in ("v1", "v2"):
        folder = tmp_path_factory.mktemp(f"clean-{version}")
        engine = Engine(Settings(index_dir=folder, embedding_model="hash"))
        engine.ingest_paths([corpus[version]])
        out[version] = snapshot(engine)
        out[f"{version}-index"] = folder
        engine.close()
    assert len(out["v1"]) == DOCS and len(out["v2"]) == DOCS + NEW_IN_V2
    return out


def start(index_dir: Path, folder: Path, **env) -> subprocess.Popen:
    environment = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_EMBEDDING_MODEL": "hash",
                   "PYTHONPATH": str(ROOT), **{k: str(v) for k, v in env.items()}}
    return subprocess.Popen([sys.executable, "-c", CHILD, str(folder)], env=environment, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def generation(index_dir: Path) -> int:
    """The last committed generation, read as any other process would (-1 before the file exists)."""
    path = index_dir / "index.sqlite"
    if not path.exists():
        return -1
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    except sqlite3.Error:  # being created: its schema not yet committed
        return -1
    return int(row[0]) if row else -1


def kill_when(process: subprocess.Popen, ready, timeout: float = 60) -> None:
    """SIGKILL the process as soon as ready() holds; fails if it finished first."""
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            assert process.poll() is None, f"the ingest ended before the kill point: {process.communicate()}"
            assert time.monotonic() < deadline, "the kill point was never reached"
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, process.communicate()


def after_a_while(condition, delay: float):
    """Holds `delay` seconds after condition() first held."""
    first: list[float] = []

    def ready() -> bool:
        if not first and condition():
            first.append(time.monotonic())
        return bool(first) and time.monotonic() >= first[0] + delay

    return ready


def run_to_crash(process: subprocess.Popen) -> None:
    """For a process that kills itself at an injected crash point."""
    out, err = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL, (out, err)


def snapshot_of(index_dir: Path) -> dict:
    engine = open_engine(index_dir)
    try:
        return snapshot(engine)
    finally:
        engine.close()


def open_engine(index_dir: Path, embedder=None):
    from rag.engine import Engine
    from rag.settings import Settings

    return Engine(Settings(index_dir=index_dir, embedding_model="hash"), embedder=embedder)


def assert_usable(index_dir: Path, check, texts: dict[str, dict[str, str]], minimum: int = 1) -> dict:
    """The index opens, lists its documents, is internally consistent, and answers with valid citations.
    Every stored document is exactly one version of its file."""
    from rag.schema import content_hash

    engine = open_engine(index_dir)
    try:
        docs = engine.documents()
        assert len(docs) >= minimum
        check.consistent(engine)
        for doc in docs:
            versions = {content_hash(t[doc.source]) for t in texts.values() if doc.source in t}
            assert doc.content_hash in versions, doc.source
            assert engine.index.text(doc.doc_id) in {t[doc.source] for t in texts.values() if doc.source in t}
        if docs:
            sample = docs[len(docs) // 2]
            n = int(sample.source[-8:-4])
            answer = engine.ask(f"What is Q{n:04d}Z?")
            assert answer.found, answer
            check.citations(engine, answer)
            assert any(c.doc_id == sample.doc_id for c in answer.citations)
        return snapshot(engine)
    finally:
        engine.close()


def finish_and_compare(index_dir: Path, folder: Path, expected: dict, check) -> None:
    """The next ingest (an ordinary, uninterrupted one) completes the job exactly."""
    engine = open_engine(index_dir)
    try:
        engine.ingest_paths([folder])
        assert snapshot(engine) == expected
        check.consistent(engine)
        assert engine.ingest_paths([folder]).chunks == 0  # and then there is nothing left to do
    finally:
        engine.close()
    assert_files_whole(index_dir)
    leftovers = [name for name in vector_files_in(index_dir) if not name.startswith("delta.")]
    assert leftovers == [f"vectors.{max_base(index_dir)}.faiss"], leftovers  # one base, no temporary file


def vector_files_in(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.iterdir() if p.name.lstrip(".").startswith(("vectors.", "delta.")))


def max_base(index_dir: Path) -> int:
    return max(int(name.split(".")[1]) for name in vector_files_in(index_dir) if name.startswith("vectors."))


def assert_files_whole(index_dir: Path) -> None:
    """The vectors' files alone give the committed generation: no rebuild from SQLite is needed."""
    from rag import vector_files
    from rag.embedding import HashEmbedder

    assert vector_files.load(index_dir, generation(index_dir), HashEmbedder().dimension) is not None


# --- kills from outside, at moments chosen by watching the index ------------------------------


@pytest.mark.parametrize("moment", ["before-any-commit", "after-first-commit", "midway", "random"])
def test_killed_ingest_into_an_empty_index(moment, corpus, reference, tmp_path, check):
    index_dir = tmp_path / "index"
    process = start(index_dir, corpus["v1"])
    if moment == "before-any-commit":
        ready = lambda: generation(index_dir) >= 0  # noqa: E731 - as soon as the index file exists
    elif moment == "after-first-commit":
        ready = lambda: generation(index_dir) >= 1  # noqa: E731
    elif moment == "midway":
        ready = lambda: generation(index_dir) >= 12  # noqa: E731
    else:  # some time after a commit, wherever the writer happens to be by then
        ready = after_a_while(lambda: generation(index_dir) >= 5, random.Random().uniform(0.0, 0.15))
    kill_when(process, ready)
    state = assert_usable(index_dir, check, corpus["texts"], minimum=0 if moment == "before-any-commit" else 1)
    assert all(state[source] == reference["v1"][source] for source in state)  # whole documents only
    finish_and_compare(index_dir, corpus["v1"], reference["v1"], check)


def test_killed_reingest_keeps_every_document_of_the_previous_index(corpus, reference, tmp_path, check):
    """Documents being replaced are never lost: each is its old or its new version, whole."""
    index_dir = tmp_path / "index"
    shutil.copytree(reference["v1-index"], index_dir)
    base = generation(index_dir)
    process = start(index_dir, corpus["v2"])
    kill_when(process, lambda: generation(index_dir) >= base + 3)
    state = assert_usable(index_dir, check, corpus["texts"], minimum=DOCS)
    assert set(reference["v1"]) <= set(state)
    assert all(state[s] in (reference["v1"].get(s), reference["v2"][s]) for s in state)  # whole versions
    replaced = [s for s in reference["v1"] if state[s][1] != reference["v1"][s][1]]
    assert 0 < len(replaced) < DOCS // 3 + 1, "the kill should land in the middle of the replacements"
    finish_and_compare(index_dir, corpus["v2"], reference["v2"], check)


# --- crashes at exact points of the write path ------------------------------------------------


@pytest.mark.parametrize("point", ["inside-transaction", "before-delta-write", "mid-delta-write",
                                   "after-delta-rename", "mid-base-write"])
def test_crash_at_each_step_of_a_commit(point, corpus, reference, tmp_path, check):
    index_dir = tmp_path / "index"
    # Die while writing the 80th document (in the second group), while writing the third group's
    # delta, or while folding the deltas into a base the third time (the first is the empty index's).
    after = 80 if point == "inside-transaction" else 3
    run_to_crash(start(index_dir, corpus["v1"], CRASH_AT=point, CRASH_AFTER=after))
    committed = generation(index_dir)
    files = [re.sub(r"\.\d+\.\d+\.tmp$", ".*.tmp", name) for name in vector_files_in(index_dir)]
    if point == "inside-transaction":
        assert committed >= 1
        in_flight = sorted(corpus["texts"]["v1"])[after - 1]  # files are ingested in this order
        assert in_flight not in snapshot_of(index_dir), "the unfinished transaction must leave no trace"
    elif point == "mid-base-write":
        assert committed > 1 and ".vectors.*.tmp" in files  # a half-written base, never renamed
    else:
        assert committed == 2  # the delta is written inside the transaction of its generation
        assert (".delta.*.tmp" in files) == (point == "mid-delta-write")
        # A delta for a generation SQLite never reached: ignored, and replaced by the next commit.
        assert ("delta.3.npz" in files) == (point == "after-delta-rename")
    assert_files_whole(index_dir)
    state = assert_usable(index_dir, check, corpus["texts"])
    assert 0 < len(state) < DOCS
    assert all(state[source] == reference["v1"][source] for source in state)  # whole documents only
    finish_and_compare(index_dir, corpus["v1"], reference["v1"], check)


def test_crash_between_the_lexical_and_the_sqlite_commits(corpus, reference, tmp_path, check):
    """Tantivy then holds a generation SQLite never reached: opening the index rebuilds it from SQLite."""
    from lexical_files import lexical_rows

    index_dir = tmp_path / "index"
    run_to_crash(start(index_dir, corpus["v1"], CRASH_AT="after-lexical-commit", CRASH_AFTER=3))
    assert generation(index_dir) == 2 and lexical_rows(index_dir)[0] == 3
    state = assert_usable(index_dir, check, corpus["texts"])  # consistent: Tantivy mirrors SQLite again
    assert 0 < len(state) < DOCS
    assert all(state[source] == reference["v1"][source] for source in state)
    finish_and_compare(index_dir, corpus["v1"], reference["v1"], check)


def test_crash_while_the_lexical_index_is_rebuilt(corpus, reference, tmp_path, check):
    """An index whose lexical index is missing (made before it) is opened by an ingest killed
    while rebuilding it: the next opening rebuilds it whole."""
    from lexical_files import lexical_rows

    index_dir = tmp_path / "index"
    shutil.copytree(reference["v1-index"], index_dir)
    shutil.rmtree(index_dir / FOLDER)
    committed = generation(index_dir)
    run_to_crash(start(index_dir, corpus["v2"], CRASH_AT="mid-lexical-rebuild", CRASH_AFTER=3000))
    assert generation(index_dir) == committed and lexical_rows(index_dir) == (None, [])  # nothing committed
    assert assert_usable(index_dir, check, corpus["texts"], minimum=DOCS) == reference["v1"]
    finish_and_compare(index_dir, corpus["v2"], reference["v2"], check)


@pytest.mark.parametrize("point", ["mid-training", "mid-ivf-base-write"])
def test_crash_while_the_approximate_index_is_trained_or_written(point, corpus, reference, tmp_path, check,
                                                                  monkeypatch):
    """Past RAG_APPROXIMATE_FROM the writer trains an IVF and writes it as a new base: killed
    there, the last good index (flat base and deltas) stays, and the next ingest finishes the job."""
    import faiss
    import numpy as np

    from rag.approximate import is_approximate

    monkeypatch.setenv("RAG_APPROXIMATE_FROM", "1500")  # about a fifth of the corpus' chunks
    index_dir = tmp_path / "index"

    def base_holds_ivf() -> list[bool]:  # the newest base's indexes, read as they are
        with np.load(index_dir / f"vectors.{max_base(index_dir)}.faiss") as parts:
            return [is_approximate(faiss.deserialize_index(parts[name])) for name in parts.files if name[0] != "+"]

    run_to_crash(start(index_dir, corpus["v1"], CRASH_AT=point))
    assert generation(index_dir) > 1 and base_holds_ivf() == [False]
    assert (".vectors" in " ".join(vector_files_in(index_dir))) == (point == "mid-ivf-base-write")
    state = assert_usable(index_dir, check, corpus["texts"])  # reading it trains its own, in memory
    assert all(state[source] == reference["v1"][source] for source in state)  # whole documents only
    finish_and_compare(index_dir, corpus["v1"], reference["v1"], check)
    assert base_holds_ivf() == [True]


def test_repeated_crashes_then_completion(corpus, reference, tmp_path, check):
    """Killed again and again, each run getting further: the last one still ends exactly right."""
    index_dir = tmp_path / "index"
    shutil.copytree(reference["v1-index"], index_dir)
    replaced = []
    for _ in range(3):
        base = generation(index_dir)
        kill_when(start(index_dir, corpus["v2"]), lambda: generation(index_dir) >= base + 2)
        state = assert_usable(index_dir, check, corpus["texts"], minimum=DOCS)
        replaced.append(sum(state[s] == reference["v2"][s] for s in state))
    assert replaced == sorted(set(replaced)), "each run should take the job further"
    process = start(index_dir, corpus["v2"])
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert out.startswith("done ")
    finish_and_compare(index_dir, corpus["v2"], reference["v2"], check)


# --- one writer at a time, across processes ---------------------------------------------------


def test_a_second_writer_is_refused_while_an_ingest_runs(corpus, reference, tmp_path, check, files):
    index_dir = tmp_path / "index"
    files.text("late.txt", "A late document.")
    process = start(index_dir, corpus["v1"])
    try:
        deadline = time.monotonic() + 60
        while generation(index_dir) < 2:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.005)
        engine = open_engine(index_dir)
        assert process.poll() is None, "the ingest ended too soon to test a second writer"
        with pytest.raises(IndexBusy, match="another writer .* is changing the index"):
            engine.ingest_paths([files.root])
        with pytest.raises(IndexBusy):
            engine.remove(doc_id=engine.documents()[0].doc_id)
        assert engine.documents()  # reading is never blocked
        engine.close()
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    engine = open_engine(index_dir)
    try:
        assert snapshot(engine) == reference["v1"]  # the refused writer changed nothing
        check.consistent(engine)
    finally:
        engine.close()


# --- the real model -----------------------------------------------------------------------------


@pytest.mark.integration
def test_killed_ingest_with_the_real_model(tmp_path, check, real_embedder):
    from rag.engine import Engine
    from rag.settings import Settings

    folder = tmp_path / "docs"
    texts = {}
    for n in range(80):
        source = f"doc{n:04d}.txt"
        texts[source] = f"Office Q{n:04d}Z was opened in the city of C{n * 7 % 997:03d}W by the regional team."
        (folder / source).parent.mkdir(parents=True, exist_ok=True)
        (folder / source).write_text(texts[source], encoding="utf-8")
    index_dir = tmp_path / "index"
    process = start(index_dir, folder, RAG_EMBEDDING_MODEL="all-MiniLM-L6-v2", GROUP_CHUNKS=8)
    kill_when(process, lambda: generation(index_dir) >= 2, timeout=120)
    engine = Engine(Settings(index_dir=index_dir, embedding_model="all-MiniLM-L6-v2"), embedder=real_embedder)
    try:
        docs = engine.documents()
        assert 0 < len(docs) < 80
        assert engine.index.store.meta("model") == "all-MiniLM-L6-v2"
        check.consistent(engine)
        sample = docs[0]
        answer = engine.ask(f"What is Q{sample.source[3:7]}Z?")
        assert answer.found
        check.citations(engine, answer)
        engine.ingest_paths([folder])
        assert sorted(d.source for d in engine.documents()) == sorted(texts)
        check.consistent(engine)
    finally:
        engine.close()
    clean = Engine(Settings(index_dir=tmp_path / "clean", embedding_model="all-MiniLM-L6-v2"),
                   embedder=real_embedder)
    clean.ingest_paths([folder])
    resumed = Engine(Settings(index_dir=index_dir, embedding_model="all-MiniLM-L6-v2"), embedder=real_embedder)
    try:
        assert snapshot(resumed) == snapshot(clean)
    finally:
        clean.close()
        resumed.close()
