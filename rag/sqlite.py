"""One SQLite connection per thread, every one of them closed on close()."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

BUSY_SECONDS = 30  # as long as a statement waits for another process's lock


class ThreadConnections:
    def __init__(self, path: Path, *, pragmas: tuple[str, ...], isolation_level: str | None = "") -> None:
        self.path = path
        self._pragmas = pragmas
        self._isolation_level = isolation_level
        self._local = threading.local()
        self._opened: dict[threading.Thread, sqlite3.Connection] = {}
        self._lock = threading.Lock()

    def get(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=self._isolation_level,
                                   check_same_thread=False)
            for pragma in self._pragmas:
                _pragma(conn, pragma)
            self._local.conn = conn
            with self._lock:
                self._close_orphans()
                self._opened[threading.current_thread()] = conn
        return conn

    def _close_orphans(self) -> None:
        """The server's worker threads end after a while idle and new ones start under load: the
        connections of ended threads are closed, or each burst of requests would leave files open."""
        for thread in [t for t in self._opened if not t.is_alive()]:
            self._opened.pop(thread).close()

    def close(self) -> None:
        with self._lock:
            for conn in self._opened.values():
                conn.close()
            self._opened.clear()
        self._local = threading.local()


def _pragma(conn: sqlite3.Connection, pragma: str) -> None:
    """A pragma, tried again while another process holds the lock: switching a file to WAL needs it
    alone and fails at once with "database is locked" instead of waiting (two processes opening
    one new file at once, a CLI beside the service)."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            conn.execute(f"PRAGMA {pragma}")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
