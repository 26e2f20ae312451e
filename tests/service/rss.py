"""Resident memory of a process and of its child processes, read from /proc while something runs.

A parser process that is killed takes its VmHWM with it, so its children are sampled as they run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024


def status_kb(pid: int, field: str) -> int:
    """A 'kB' field of /proc/<pid>/status (VmRSS, VmHWM), or 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except (FileNotFoundError, ProcessLookupError):
            pass
    return found


def _is_parser(pid: int) -> bool:
    """A child is sampled once it runs the parser: between fork and exec it still shows the
    parent's memory (its VmHWM is the parent's), which is no parser's."""
    try:
        return b"rag.parsing" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return False


@dataclass
class Peaks:
    process_mb: float = 0.0  # the highest VmRSS of the process itself while watched
    children_mb: float = 0.0  # the highest VmHWM (or VmRSS) of any one parser process
    children_seen: int = 0


@contextmanager
def watch(pid: int, every: float = 0.02, *, besides: frozenset[int] = frozenset()) -> Iterator[Peaks]:
    """Samples the process and its children (but those in `besides`: other tests' servers' parsers)
    until the block ends; the peaks are filled in meanwhile."""
    peaks = Peaks()
    seen: set[int] = set()
    done = threading.Event()

    def sample() -> None:
        while True:
            peaks.process_mb = max(peaks.process_mb, status_kb(pid, "VmRSS") / 1024)
            for child in children(pid) - besides:
                if not _is_parser(child):
                    continue
                seen.add(child)
                high = max(status_kb(child, "VmHWM"), status_kb(child, "VmRSS"))
                peaks.children_mb = max(peaks.children_mb, high / 1024)
            peaks.children_seen = len(seen)
            if done.wait(every):
                return

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peaks
    finally:
        done.set()
        thread.join()
