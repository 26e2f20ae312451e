"""One connection that misbehaves, and how long the server takes to close it.

Shared by tests/service/test_server.py and bench/slow_clients.py.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable


def closed_after(port: int, behave: Callable[[socket.socket, float], None], wait: float) -> float | None:
    """Seconds until the server closed the connection while `behave(sock, stop)` ran until the
    monotonic time `stop`; None if it was still open after `wait` seconds."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(wait)
    started = time.monotonic()
    closed = threading.Event()

    def watch() -> None:
        try:
            while sock.recv(4096):
                pass
        except OSError:
            pass
        closed.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        behave(sock, started + wait)
    except OSError:  # the server closed it mid-send
        pass
    closed.wait(max(0.0, started + wait - time.monotonic()))
    sock.close()
    return time.monotonic() - started if closed.is_set() else None
