"""Apertium, Debian's rule-based machine translation, run as persistent pipelines.

`apertium` itself starts ten programs per call (about 250 ms); kept running, a pipeline
translates a question in about a millisecond. Each pair's `.mode` file lists its stages;
`apertium-wblank-mode -z` gives them with null flush, so each NUL-terminated input yields one
NUL-terminated output. Apertium is GPL: it is called as separate programs, never linked or copied.

lttoolbox 3.7's bilingual stage (`lt-proc -b -z`) holds back a segment that ends right after a
word and flushes only once a blank follows it: every segment is sent with a trailing newline.
"""

from __future__ import annotations

import logging
import os
import re
import select
import shlex
import shutil
import subprocess
import threading
import time
from pathlib import Path

log = logging.getLogger("rag.translation")

MODES_DIR = Path("/usr/share/apertium/modes")
INSTALL_COMMAND = "apt-get install apertium apertium-eng-spa apertium-es-pt"
# Characters of Apertium's stream format; escaped in input, unescaped in output.
_SPECIAL = "\\[]^$@/<>{}#~*"
_ESCAPE = str.maketrans({c: "\\" + c for c in _SPECIAL})
PIPE_WRITE = 16384  # bytes written to the first stage at a time, between reads of the last one's output


class TranslationFailed(Exception):
    """A pipeline died, timed out or is missing: the caller goes on without the translation."""


class _Died(Exception):
    pass


def escape(text: str) -> str:
    return text.replace("\x00", " ").translate(_ESCAPE)


def superblank(text: str) -> str:
    """Text Apertium must pass through untouched, in place: a name, a number, a quotation."""
    return "[" + text.replace("\\", "\\\\").replace("]", "\\]").replace("[", "\\[") + "]"


def unescape(stream: str) -> str:
    """Apertium's output as plain text: escapes resolved, superblanks reduced to their content."""
    out, i, n = [], 0, len(stream)
    while i < n:
        ch = stream[i]
        if ch == "\\" and i + 1 < n:
            out.append(stream[i + 1])
            i += 2
        elif ch in "[]":  # the bracket of a superblank: its content is already in place
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def mode_stages(mode: str, modes_dir: Path = MODES_DIR) -> list[list[str]]:
    """The argv of each stage of a pair's pipeline, with null flush, unknown words unmarked."""
    script = subprocess.run(["apertium-wblank-mode", "-z", str(modes_dir / f"{mode}.mode")],
                            capture_output=True, text=True, timeout=30, check=True).stdout
    stages = []
    for part in script.strip().split("|"):
        # $1 is the generator's option ("-n": unknown words without the '*' mark), $2 the tagger's (none).
        argv = [{"$1": "-n"}.get(word, word) for word in shlex.split(part)]
        stages.append([word for word in argv if word != "$2"])
    return stages


_UNKNOWN = re.compile(r"\^((?:[^\\/$]|\\.)*)/\*")


def unknown_words(analysis: str) -> set[str]:
    """The surface forms an analyser's output marks as unknown (`^Gaby/*Gaby$`)."""
    return {unescape(m.group(1)) for m in _UNKNOWN.finditer(analysis)}


# A lexical unit whose readings include a person's given name or surname: `^Kurt/Kurt<np><ant><m><sg>$`.
_PERSON = re.compile(r"\^((?:[^\\/$]|\\.)*)/(?:[^$\\]|\\.)*?<np><(?:ant|cog)>")


def person_names(analysis: str) -> set[str]:
    """The surface forms an analyser's output reads as a person's given name or surname."""
    return {unescape(m.group(1)) for m in _PERSON.finditer(analysis)}


def is_installed(modes: list[str], modes_dir: Path = MODES_DIR) -> bool:
    return (shutil.which("apertium-wblank-mode") is not None and shutil.which("lt-proc") is not None
            and all((modes_dir / f"{m}.mode").exists() for m in modes))


class Pipeline:
    """One direction (an Apertium mode) kept running, started on first use.

    Safe under concurrency: a lock serialises the exchanges. An exchange may carry many segments:
    the stages then work on several at once, each on its own process (on two cores a sentence took
    1.2-1.5 ms within a batch of 50, against 3-4 ms sent alone). A pipeline that dies or times out
    is killed and started again on the next exchange.
    """

    def __init__(self, mode: str, *, timeout: float = 5.0, modes_dir: Path = MODES_DIR,
                 stages: int | None = None) -> None:
        self.mode = mode
        self.stages = stages  # the first stages only: 1 is the morphological analyser
        self.timeout = timeout
        self.modes_dir = modes_dir
        self._lock = threading.Lock()
        self._procs: list[subprocess.Popen] = []
        self.starts = 0  # how often the pipeline was (re)started: restarts are visible in tests

    def translate(self, stream: str) -> str:
        """An escaped segment in, Apertium's escaped output out (no trailing newline)."""
        return self.translate_many([stream])[0]

    def translate_many(self, streams: list[str]) -> list[str]:
        """Escaped segments in, their outputs out, in one exchange."""
        if not streams:
            return []
        with self._lock:
            try:
                return self._attempt(streams)
            except _Died:  # killed since the last exchange, say: one fresh start, then give up
                try:
                    return self._attempt(streams)
                except _Died:
                    raise TranslationFailed(f"apertium {self.mode}: the pipeline ended twice") from None

    def _attempt(self, streams: list[str]) -> list[str]:
        if not self._alive():
            self._start()
        try:
            out = self._exchange(streams)
            if not self._alive():  # a stage died meanwhile: what came out may be a flush of its remains
                raise BrokenPipeError("a stage ended")
            return out
        except BrokenPipeError:
            self._stop()
            raise _Died() from None
        except TranslationFailed as exc:
            self._stop()
            raise TranslationFailed(f"apertium {self.mode}: {exc}") from None

    def _alive(self) -> bool:
        return bool(self._procs) and all(p.poll() is None for p in self._procs)

    def _start(self) -> None:
        self._stop()
        try:
            stages = mode_stages(self.mode, self.modes_dir)[: self.stages]
            previous = None
            for argv in stages:
                proc = subprocess.Popen(argv, stdin=previous.stdout if previous else subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                if previous is not None:
                    previous.stdout.close()  # the next stage holds it now; EOF propagates when one dies
                self._procs.append(proc)
                previous = proc
        except (OSError, subprocess.SubprocessError) as exc:
            self._stop()
            raise TranslationFailed(f"cannot start apertium {self.mode}: {exc}") from None
        self.starts += 1

    def _exchange(self, streams: list[str]) -> list[str]:
        """Writes the segments while reading what comes out: a batch's output may outgrow the pipes'
        buffers before its input is all written, and writing it first would then wait forever.
        Times out when nothing has come out for `timeout` seconds."""
        payload = b"".join(stream.encode("utf-8") + b"\n\x00" for stream in streams)
        into, fd = self._procs[0].stdin.fileno(), self._procs[-1].stdout.fileno()
        out = bytearray()
        written = ends = 0
        deadline = time.monotonic() + self.timeout
        os.set_blocking(into, False)
        try:
            while ends < len(streams):
                remaining = deadline - time.monotonic()
                writing = [into] if written < len(payload) else []
                readable, writable, _ = select.select([fd], writing, [], max(0.0, remaining))
                if not readable and not writable:
                    raise TranslationFailed(f"timed out after {self.timeout:g} s")
                if writable:
                    try:
                        written += os.write(into, payload[written:written + PIPE_WRITE])
                    except BlockingIOError:
                        pass
                if readable:
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        raise BrokenPipeError("the pipeline ended")
                    out += chunk
                    ends += chunk.count(b"\x00")
                    deadline = time.monotonic() + self.timeout
        finally:
            os.set_blocking(into, True)
        return [part.decode("utf-8", "replace").rstrip("\n") for part in bytes(out).split(b"\x00")[:len(streams)]]

    def _stop(self) -> None:
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()
        for proc in self._procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                log.warning("apertium %s: a stage did not exit after kill", self.mode)
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
        self._procs = []

    def close(self) -> None:
        with self._lock:
            self._stop()
