"""Uploaded files, checked before the engine sees them: size, name and type.

The rules, one per file unless said otherwise:
- all files of one request together hold at most RAG_MAX_UPLOAD_BYTES; a bigger request is
  refused whole with 413 and nothing is indexed (limits.BodyLimit stops a far bigger one unread);
- a name must be a bare file name: no folders ('/', '\\'), no '..', no control characters;
- the extension must be one the loaders read (415 when that is the only problem); an e-mail's
  attachments are screened by the engine (rag/engine.py), each as a file named '<mail>/<name>';
- an empty file is refused; content the loaders cannot read (binary, not UTF-8, a corrupt PDF,
  .docx, .odt, .msg or image, a scan in which OCR finds no text) is refused by the engine, which
  gives the reason.
A request with at least one file indexed (or already indexed) answers 200 and lists the refused
files; a request with none raises UploadRefused, a 4xx carrying the same list. POST /documents
and an upload job (upload_jobs.py) check the key may write the target collection (`check_target`)
and index the files they accept alike, by `index_upload`.
"""

from __future__ import annotations

import asyncio
import time
from functools import partial
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath

from fastapi import UploadFile
from fastapi.concurrency import run_in_threadpool

from rag.access import Access
from rag.engine import Engine
from rag.errors import Forbidden, InvalidInput, PayloadTooLarge, UnsupportedFile
from rag.loaders import SUPPORTED
from rag.parsing import OnPage
from rag.schema import IngestReport
from rag.sources import SourceFile
from rag.sources import name_problem as unusable_name

MAX_NAME_CHARS = 255


@dataclass(frozen=True)
class Refused:
    source: str
    reason: str
    status: int = InvalidInput.http_status

    def to_dict(self) -> dict:
        return {"source": self.source, "reason": self.reason}


@dataclass
class Screened:
    accepted: list[SourceFile] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


class UploadRefused(InvalidInput):
    """No file of the request could be indexed. The status is the refusals' own when they agree."""

    def __init__(self, refused: list[Refused]) -> None:
        statuses = {r.status for r in refused}
        self.http_status = statuses.pop() if len(statuses) == 1 else InvalidInput.http_status
        reasons = "; ".join(f"'{r.source}': {r.reason}" for r in refused)
        super().__init__(f"no file was indexed ({len(refused)} refused): {reasons}.")
        self.extra = {"refused": [r.to_dict() for r in refused]}


def check_target(access: Access, collection: str) -> None:
    """A 403 unless the key may write the collection; called before a byte of the files is read."""
    if not access.can_write(collection):
        raise Forbidden(f"this key may not write to collection '{collection}'; ask for a key with "
                        f"--write {collection}, or upload into a collection the key may write.")


def screen(uploads: Iterable[UploadFile], limit: int) -> Screened:
    """Reads the uploads (in a worker thread: UploadFile.file is blocking) and sorts them."""
    screened = Screened()
    total = 0
    for upload in uploads:
        name = upload.filename or ""
        # Read one byte past what is left, so an oversized request is caught without reading it all.
        data = upload.file.read(limit - total + 1)
        total += len(data)
        if total > limit:
            raise PayloadTooLarge(upload_too_large(limit))
        problem = name_problem(name) or type_problem(name)
        if problem is None and not data:
            problem = Refused(name, "empty file; there is nothing to index")
        if problem is not None:
            screened.refused.append(problem)
        else:
            screened.accepted.append(SourceFile(name, None, data))
    return screened


def upload_too_large(limit: int) -> str:
    return (f"the files of this upload hold more than {limit} bytes, the limit (RAG_MAX_UPLOAD_BYTES); "
            "send fewer or smaller files.")


def name_problem(name: str) -> Refused | None:
    if not name:
        return Refused(name, "the file has no name; send it with a name such as 'report.pdf'")
    if "/" in name or "\\" in name or name in (".", ".."):
        return Refused(name, "a file name may not hold folders ('/', '\\' or '..'); "
                             "send the bare name, e.g. 'x.md' rather than 'a/x.md'")
    if problem := unusable_name(name):
        return Refused(name, problem)
    if len(name) > MAX_NAME_CHARS:
        return Refused(name, f"the file name is longer than {MAX_NAME_CHARS} characters; rename the file")
    return None


def type_problem(name: str) -> Refused | None:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in SUPPORTED:
        return None
    return Refused(name, f"unsupported type '{suffix or 'no extension'}'; supported: {', '.join(SUPPORTED)}",
                   UnsupportedFile.http_status)


def refusals_of(skipped: Iterable) -> list[Refused]:
    """The engine's skipped files (unreadable content, duplicate names), as refusals."""
    return [Refused(**asdict(s)) for s in skipped]


async def index_upload(engine: Engine, screened: Screened, write_lock: asyncio.Lock, *, collection: str,
                       on_page: OnPage | None = None, on_write: Callable[[], None] | None = None) -> dict:
    """Indexes the accepted files into the collection and answers what POST /documents answers
    (UploadRefused when none got in). Parsing (OCR included) and writing run in worker threads,
    off the event loop; the files are parsed before they wait for the write lock, so a slow scan
    holds up no other upload. `on_page` hears of each page OCR reads; `on_write` is called when parsing is done."""
    started = time.perf_counter()
    report = IngestReport()
    parsed = await run_in_threadpool(lambda: list(engine.parse(screened.accepted, report.skipped, on_page=on_page)))
    if parsed:
        if on_write:
            on_write()
        async with write_lock:
            await run_in_threadpool(partial(engine.write, parsed, report, collection=collection))
    report.seconds = time.perf_counter() - started
    refused = screened.refused + refusals_of(report.skipped)
    if not (report.added or report.replaced or report.unchanged):
        raise UploadRefused(refused)
    return {
        "added": [d.to_dict() for d in report.added],
        "replaced": [d.to_dict() for d in report.replaced],
        "unchanged": report.unchanged,
        "refused": [r.to_dict() for r in refused],
        "counts": {"added": len(report.added), "replaced": len(report.replaced),
                   "unchanged": len(report.unchanged), "refused": len(refused), "chunks": report.chunks},
        "seconds": round(report.seconds, 3),
    }


def indexed_ids(report: dict) -> list[str]:
    """The doc_ids an upload's report says were written, for the audit trail."""
    return [d["doc_id"] for d in report["added"] + report["replaced"]]
