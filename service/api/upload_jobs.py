"""Uploads as jobs, for a person waiting on a long scan: POST /uploads answers at once with an id,
and GET /uploads/{upload_id} tells how far the job has got, down to the page OCR is reading, and
once it is done, the report that POST /documents would have answered.

Why jobs rather than a streamed answer: POST /documents keeps its one JSON answer that scripts
read, a page that polls needs nothing but JSON, and the job goes on (and its report stays to be
read) if the person's connection drops or the page is reloaded mid-scan.

A job belongs to the key that started it, as a conversation does: to another key its id is the
same 404 as an unknown one, so that another key's uploads cannot be watched, nor even known of. It
records the collection its files go to. With the audit trail on, a finished job writes its own
line (the route 'upload job', its status, the doc_ids it wrote), since POST /uploads answers
before anything is written; a line that cannot be written fails the job with the audit's 500, the
report withheld, as a request's response would be.

A job runs as a task on the event loop that does its work in worker threads (uploads.index_upload),
like a request would. The parser's page reports come in on a worker thread while the event loop
reads the job, so a job's state is guarded by a lock. Jobs are bounded: at most MAX_RUNNING at a
time (each holds its files in memory), and a finished job's report is kept for KEEP_SECONDS, the
newest KEEP_FINISHED of them.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from rag.errors import AuditFailed, NotFound, RagError
from rag.parsing import OcrProgress

from ..audit import AuditLog
from .errors import internal_error, one_line
from .uploads import indexed_ids

# Each running job holds its files (up to RAG_MAX_UPLOAD_BYTES) until they are parsed.
MAX_RUNNING = 8
KEEP_FINISHED = 100
KEEP_SECONDS = 3600

State = Literal["reading", "indexing", "done", "failed"]


class TooManyUploads(RagError):
    http_status = 429


@dataclass(frozen=True)
class Failure:
    """What POST /documents would have answered instead of a report: its status and JSON body."""

    status: int
    body: dict


class UploadJob:
    def __init__(self, upload_id: str, files: int, *, owner: str | None, collection: str) -> None:
        self.upload_id = upload_id
        self.files = files
        self.owner = owner  # the name of the key that started it; None where the service asks for no key
        self.collection = collection
        self._lock = threading.Lock()
        self._state: State = "reading"
        self._ocr: OcrProgress | None = None
        self._report: dict | None = None
        self._failure: Failure | None = None
        self.finished_at: float | None = None

    def page(self, event: OcrProgress) -> None:
        """A page read by OCR (called on a worker thread)."""
        with self._lock:
            self._ocr = event

    def indexing(self) -> None:
        with self._lock:
            self._state, self._ocr = "indexing", None

    def finish(self, report: dict | None, failure: Failure | None) -> None:
        with self._lock:
            self._state = "done" if failure is None else "failed"
            self._report, self._failure, self._ocr = report, failure, None
            self.finished_at = time.monotonic()

    def to_dict(self) -> dict:
        with self._lock:
            ocr, failure = self._ocr, self._failure
            return {
                "upload_id": self.upload_id,
                "collection": self.collection,
                "state": self._state,
                "files": self.files,
                "ocr": None if ocr is None else {"source": ocr.source, "page": ocr.page, "pages": ocr.pages},
                "report": self._report,
                "status": 200 if self._report is not None else failure.status if failure else None,
                "error": None if failure is None else failure.body,
            }


class UploadJobs:
    """The jobs of one service. Used from the event loop only, but for the jobs' own page reports."""

    def __init__(self, *, audit: AuditLog | None = None, max_running: int = MAX_RUNNING,
                 keep_finished: int = KEEP_FINISHED, keep_seconds: float = KEEP_SECONDS) -> None:
        self.audit = audit
        self.max_running = max_running
        self.keep_finished = keep_finished
        self.keep_seconds = keep_seconds
        self._jobs: dict[str, UploadJob] = {}
        self._tasks: set[asyncio.Task] = set()  # held, or the event loop may drop a running task

    def start(self, files: int, work: Callable[[UploadJob], Awaitable[dict]], *, owner: str | None,
              collection: str) -> UploadJob:
        """Runs `work(job)`, which answers the report, as a new job of key `owner` writing into
        `collection`; TooManyUploads when full."""
        self._forget_old()
        if len(self._tasks) >= self.max_running:
            raise TooManyUploads(f"{self.max_running} uploads are being indexed, the most at once; "
                                 "wait for one of them to finish, then send this one again.")
        job = UploadJob(secrets.token_hex(16), files, owner=owner, collection=collection)
        self._jobs[job.upload_id] = job
        task = asyncio.create_task(self._run(job, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def _run(self, job: UploadJob, work: Callable[[UploadJob], Awaitable[dict]]) -> None:
        report, failure = None, None
        try:
            report = await work(job)
        except RagError as exc:
            failure = Failure(exc.http_status, {"detail": one_line(exc.message), **getattr(exc, "extra", {})})
        except Exception as exc:  # noqa: BLE001 — as a request's would: a reference here, the traceback in the log
            body = internal_error(f"in upload {job.upload_id}", "".join(traceback.format_exception(exc)))
            failure = Failure(500, body)
        # POST /uploads answered before anything was written; this line says what was, polled or not.
        if self.audit is not None:
            try:
                self.audit.record(key=job.owner, route="upload job", status=200 if failure is None else failure.status,
                                  doc_ids=[] if report is None else indexed_ids(report))
            except AuditFailed as exc:  # the report withheld, as AuditTrail withholds a response
                report, failure = None, Failure(exc.http_status, {"detail": exc.message})
        job.finish(report, failure)

    def get(self, upload_id: str, owner: str | None) -> UploadJob:
        """The job, if `owner` (a key's name) started it; another key's is NotFound like an unknown id."""
        self._forget_old()
        job = self._jobs.get(upload_id)
        if job is None or job.owner != owner:
            raise NotFound(f"no upload '{upload_id}': unknown, or finished more than {self.keep_seconds:g} s ago; "
                           "GET /documents lists what is indexed.")
        return job

    def _forget_old(self) -> None:
        finished = sorted((j for j in self._jobs.values() if j.finished_at is not None),
                          key=lambda j: j.finished_at, reverse=True)
        now = time.monotonic()
        for n, job in enumerate(finished):
            if n >= self.keep_finished or now - job.finished_at > self.keep_seconds:
                del self._jobs[job.upload_id]

    async def drain(self) -> None:
        """Waits for the running jobs: the engine they use must not close under them."""
        if self._tasks:
            await asyncio.wait(set(self._tasks))
