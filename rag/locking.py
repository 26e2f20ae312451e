"""One writer at a time per index folder, across processes."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from .errors import IndexBusy


class WriteLock:
    """A non-blocking exclusive lock on `<index>/write.lock`; released when the process dies."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "write.lock"
        self._fd: int | None = None

    def __enter__(self) -> "WriteLock":
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise IndexBusy(
                f"another writer (an ingest, an upload or a removal) is changing the index in "
                f"{self.path.parent}; wait for it to finish and try again."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
