"""Untrusted files parsed in a small pool of separate processes, each under hard limits.

A hostile file (a ZIP bomb, a PDF of 100,000 pages, deeply nested HTML) must cost at most a
bounded amount of memory and time, and never the service itself: each parser process runs
under RLIMIT_AS (memory) and RLIMIT_CPU (CPU time, reset per file), and the caller waits at most
the wall-clock timeout. A parser that dies or overruns is killed and replaced; its file is
refused with the limit it hit. A parser is a fresh interpreter (never a fork of a process that
holds the model's threads, nor a re-run of the caller's main script, as multiprocessing's
'spawn' would do) and serves file after file. Its answers come back as JSON, not pickles, so
even a parser taken over by a hostile file cannot run code in the caller.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from . import scans
from .loaders import BadFile, ContentLimits, PageSpans, extract
from .mail import Attachment, attached
from .settings import Settings
from .sources import SourceFile

# The parser imports this very package, wherever the caller imported it from.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])
# A parser whose address space came this close to its limit (a share of it) is replaced after
# the file, and a failure there is put down to memory: C libraries such as lxml report a failed
# allocation as a syntax error ("unknown error"), not as MemoryError.
_NEAR_LIMIT = 0.75
_START = "import sys; from rag.parsing import serve; serve(int(sys.argv[1]), int(sys.argv[2]))"


@dataclass(frozen=True)
class ParseLimits:
    memory_mb: int
    cpu_seconds: int
    timeout_seconds: float
    content: ContentLimits
    ocr_page_seconds: float = 30.0  # added to both time limits for each page OCR reads

    @classmethod
    def of(cls, settings: Settings) -> "ParseLimits":
        return cls(settings.parse_memory_mb, settings.parse_cpu_seconds, settings.parse_timeout_seconds,
                   ContentLimits(settings.max_extracted_bytes, settings.max_pdf_pages,
                                 settings.max_text_chars), settings.ocr_page_seconds)


@dataclass(frozen=True)
class Parsed:
    source: str
    kind: str
    text: str
    pages: PageSpans = ()
    ocr_pages: tuple[int, ...] = ()
    # Only for a mail: its attachments as its parser found them, which Engine.parse reads in turn...
    attached: tuple[Attachment, ...] | None = None
    # ...and then the sources of those indexed with it: Index.prune drops any other under its name.
    attachments: tuple[str, ...] | None = None


@dataclass(frozen=True)
class OcrProgress:
    """OCR is reading the `page`th of the `pages` pages it reads in `source` (a PDF's scanned pages
    only: its pages with a text layer are not counted); told as it starts on that page."""

    source: str
    page: int
    pages: int


OnPage = Callable[[OcrProgress], None]


def serve(inbox: int, outbox: int) -> None:
    """A parser process: limits, then file after file in; for each, whether the process stops after
    it and ["ok", kind, text, pages, ocr_pages], ["bad", reason] or ["memory"] out, with a mail's
    attachments."""
    requests, answers = Connection(inbox, writable=False), Connection(outbox, readable=False)
    limits: ParseLimits = requests.recv()
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)

    def page_read(page: int, total: int) -> None:  # a page begun: its allowance of CPU here, of wall clock there
        soft, _ = resource.getrlimit(resource.RLIMIT_CPU)
        more = soft + int(limits.ocr_page_seconds)
        resource.setrlimit(resource.RLIMIT_CPU, (more if cpu_hard == resource.RLIM_INFINITY else min(more, cpu_hard),
                                                 cpu_hard))
        answers.send_bytes(json.dumps({"page": page, "of": total}).encode("ascii"))

    scans.page_read = page_read
    while True:
        try:
            file = requests.recv()
        except (EOFError, OSError):
            return  # the caller closed the pipe, or died
        # RLIMIT_CPU counts the whole life of the process: each file gets its own allowance on top.
        usage = resource.getrusage(resource.RUSAGE_SELF)
        allowance = int(usage.ru_utime + usage.ru_stime) + 1 + limits.cpu_seconds
        resource.setrlimit(resource.RLIMIT_CPU, (allowance, cpu_hard))
        files = None
        try:
            extracted = extract(file, limits.content)
            answer = ["ok", extracted.kind, extracted.text, extracted.pages, extracted.ocr_pages]
            files = attached(file, limits.content)
        except BadFile as exc:
            answer = ["bad", str(exc)]
        except MemoryError:
            answer = ["memory"]
        except RecursionError:
            answer = ["bad", "nested too deeply to read (a corrupt or hostile file)"]
        except Exception as exc:  # noqa: BLE001 — any parser's failure on a file is that file's problem
            answer = ["bad", f"unreadable ({exc.__class__.__name__}: {exc})"]
        near_limit = _peak_address_space() >= _NEAR_LIMIT * memory
        if near_limit and answer[0] == "bad":
            answer = ["memory"]
        # A process that (nearly) ran out of memory may be left inconsistent: it says it stops.
        retire = near_limit or answer[0] == "memory"
        try:
            reply = {"retire": retire, "answer": answer,
                     "attached": None if files is None else [f.to_json() for f in files]}
            answers.send_bytes(json.dumps(reply).encode("utf-8", "surrogatepass"))
        except MemoryError:
            retire = True
            answers.send_bytes(b'{"retire": true, "answer": ["memory"]}')
        if retire:
            return


def _peak_address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    return 0


class _Parser:
    def __init__(self, limits: ParseLimits) -> None:
        inbox, self._requests = os.pipe()
        self._answers, outbox = os.pipe()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen([sys.executable, "-c", _START, str(inbox), str(outbox)],
                                        pass_fds=(inbox, outbox), stdin=subprocess.DEVNULL, env=env)
        os.close(inbox)
        os.close(outbox)
        self.requests = Connection(self._requests, readable=False)
        self.answers = Connection(self._answers, writable=False)
        self.requests.send(limits)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.requests.close()
        self.answers.close()


def _parsed(source: str, answer: list, files: list | None) -> Parsed:
    """A parser's ["ok", ...] answer, typed again: JSON brings tuples back as lists, and a parser
    taken over by a hostile file could send anything."""
    try:
        _, kind, text, pages, ocr_pages = answer
        return Parsed(source, str(kind), str(text), tuple((int(start), int(end)) for start, end in pages),
                      tuple(int(page) for page in ocr_pages),
                      None if files is None else tuple(Attachment.from_json(f) for f in files))
    except (TypeError, ValueError, KeyError) as exc:
        raise BadFile(f"the parser gave a malformed answer ({exc}); check the file") from exc


class ParserPool:
    """One or two parser processes, started on first use, shared by the threads that parse."""

    def __init__(self, limits: ParseLimits, size: int) -> None:
        self.limits = limits
        self._free = threading.Semaphore(size)
        self._lock = threading.Lock()
        self._idle: list[_Parser] = []
        self._size = size

    def start(self) -> None:
        """Starts the parsers now, so that the first upload does not wait for them."""
        with self._lock:
            while len(self._idle) < self._size:
                self._idle.append(_Parser(self.limits))

    def parse(self, file: SourceFile, on_page: OnPage | None = None) -> Parsed:
        """The file's text, or BadFile saying why not (a limit it went over, what to do). `on_page`
        is told of each page OCR reads, in the calling thread, as the parser reads it."""
        with self._free:
            parser = self._take()
            try:
                retire, answer, files = self._ask(parser, file, on_page)
            except BaseException:
                parser.stop()
                raise
            if answer[0] in ("ok", "bad") and not retire:
                with self._lock:
                    self._idle.append(parser)
            else:
                parser.stop()
        if answer[0] == "ok":
            return _parsed(file.source, answer, files)
        if answer[0] == "bad":
            raise BadFile(answer[1])
        raise BadFile(self._failure(answer[0], parser.process.returncode))

    def _take(self) -> _Parser:
        with self._lock:
            parser = self._idle.pop() if self._idle else None
        if parser is not None and parser.alive():
            return parser
        if parser is not None:
            parser.stop()  # died idle (killed from outside): reaped, and replaced
        return _Parser(self.limits)

    def _ask(self, parser: _Parser, file: SourceFile, on_page: OnPage | None) -> tuple[bool, list, list | None]:
        """(whether the parser stops after this file, its answer, or ["timeout"] or ["died"], and a
        mail's attachments)."""
        try:
            parser.requests.send(file)
            deadline = time.monotonic() + self.limits.timeout_seconds
            # Each page OCR reads extends the deadline, up to as many pages as a PDF may have: a
            # parser taken over by a hostile file cannot buy itself more time than that.
            extensions = self.limits.content.max_pdf_pages
            while True:
                if not parser.answers.poll(max(0.0, deadline - time.monotonic())):
                    return True, ["timeout"], None
                reply = json.loads(parser.answers.recv_bytes().decode("utf-8", "surrogatepass"))
                if "page" not in reply:
                    break
                if extensions > 0:
                    extensions -= 1
                    deadline += self.limits.ocr_page_seconds
                    page, pages = reply["page"], reply.get("of")
                    if on_page and isinstance(page, int) and isinstance(pages, int):
                        on_page(OcrProgress(file.source, page, pages))
            return reply["retire"], reply["answer"], reply.get("attached")  # absent when out of memory
        except (EOFError, OSError):
            return True, ["died"], None

    def _failure(self, what: str, code: int | None) -> str:
        """Why a parser gave no text: it ran out of memory, time, or died (its exit code tells)."""
        if what == "memory":
            return (f"reading it needed more than {self.limits.memory_mb} MB of memory, the limit "
                    "(RAG_PARSE_MEMORY_MB); split the file or convert it to text")
        if what == "timeout":
            return (f"reading it took longer than {self.limits.timeout_seconds:g} s, the limit "
                    "(RAG_PARSE_TIMEOUT_SECONDS); split the file or convert it to text")
        if code == -signal.SIGXCPU:
            return (f"reading it took more than {self.limits.cpu_seconds} s of CPU time, the limit "
                    "(RAG_PARSE_CPU_SECONDS); split the file or convert it to text")
        return (f"the parser stopped on it (exit {code}), as a corrupt file or one needing more than "
                f"{self.limits.memory_mb} MB of memory (RAG_PARSE_MEMORY_MB) can make it; check the file")

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for parser in idle:
            parser.stop()
