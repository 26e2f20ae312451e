"""/uploads: an upload that answers at once and tells how it is going (upload_jobs.py), for the
page, which shows each page of a long scan as OCR reads it. The files, their screening and the
collection they go to (`?collection=`, write needed) are POST /documents' own; so is the report a
finished job holds. A job is seen only by the key that started it."""

from __future__ import annotations

from collections.abc import Awaitable

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from rag.access import DEFAULT_COLLECTION

from ...audit import note_documents
from ..deps import AccessDep, EngineDep, SettingsDep, UploadJobsDep, WriteLockDep
from ..schemas import UploadJobOut, UploadRefusedOut, error_responses
from ..upload_jobs import UploadJob
from ..uploads import UploadRefused, check_target, index_upload, indexed_ids, screen
from .documents import UPLOAD_ENCODING, TargetCollection, UploadFiles

router = APIRouter(prefix="/uploads", tags=["documents"])


@router.post("", status_code=202, response_model=UploadJobOut, openapi_extra=UPLOAD_ENCODING,
             responses=error_responses(403, 413, 422, 429) | error_responses(400, 415, model=UploadRefusedOut))
async def start_upload(files: UploadFiles, engine: EngineDep, settings: SettingsDep, write_lock: WriteLockDep,
                       jobs: UploadJobsDep, access: AccessDep,
                       collection: TargetCollection = DEFAULT_COLLECTION) -> dict:
    """Starts indexing the files into the collection and answers at once (202) with the job's id.
    A key that may not write the collection is refused (403) before the job starts; a request none
    of whose files can be read by their name, type or size is refused here as POST /documents
    refuses it; what their content yields, GET /uploads/{upload_id} tells."""
    check_target(access, collection)
    screened = await run_in_threadpool(screen, files, settings.max_upload_bytes)
    if not screened.accepted:
        raise UploadRefused(screened.refused)

    def work(job: UploadJob) -> Awaitable[dict]:
        return index_upload(engine, screened, write_lock, collection=collection, on_page=job.page,
                            on_write=job.indexing)

    return jobs.start(len(screened.accepted), work, owner=access.name, collection=collection).to_dict()


@router.get("/{upload_id}", response_model=UploadJobOut, responses=error_responses(404, 422))
async def get_upload(upload_id: str, request: Request, jobs: UploadJobsDep, access: AccessDep) -> dict:
    """How the upload is going: the page OCR is reading, then the report (or the error) that POST
    /documents would have answered. Kept for an hour after it finishes. Another key's upload is a
    404, the same as an unknown one."""
    job = jobs.get(upload_id, access.name).to_dict()
    if job["report"] is not None:  # the report lists the documents written: this request returned them
        note_documents(request.state, indexed_ids(job["report"]))
    return job
