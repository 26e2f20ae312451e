"""Per-thread SQLite connections: each thread its own, and none left open by threads that ended."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from rag.sqlite import ThreadConnections


def _open_files(path: Path) -> int:
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if os.path.realpath(fd) == str(path.resolve()))


def _in_thread(fn) -> None:
    thread = threading.Thread(target=fn)
    thread.start()
    thread.join()


def test_each_thread_has_its_own_connection(tmp_path):
    connections = ThreadConnections(tmp_path / "db.sqlite", pragmas=("journal_mode=WAL",))
    seen = []
    for _ in range(3):
        _in_thread(lambda: seen.append(id(connections.get())))
    assert connections.get() is connections.get()
    connections.close()


def test_connections_of_ended_threads_are_closed(tmp_path):
    """Request worker threads come and go (AnyIO ends idle ones after 10 s): files must not pile up."""
    path = tmp_path / "db.sqlite"
    connections = ThreadConnections(path, pragmas=("journal_mode=WAL",))
    with connections.get() as db:
        db.execute("CREATE TABLE t (x)")

    def insert(n: int) -> None:
        with connections.get() as db:
            db.execute("INSERT INTO t VALUES (?)", (n,))

    for n in range(40):
        _in_thread(lambda: insert(n))
    assert _open_files(path) <= 4  # this thread's and the newest one's, not forty
    assert connections.get().execute("SELECT COUNT(*) FROM t").fetchone()[0] == 40
    connections.close()
    assert _open_files(path) == 0
