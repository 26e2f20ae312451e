"""/uploads: an upload that answers at once and tells how it is going (upload_jobs.py), for the
page, which shows each page of a long scan as OCR reads it. The files and their screening are
POST /documents' own; so is the report a finished job holds."""

from __future__ import annotations

from collections.abc import Awaitable

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from ..deps import EngineDep, SettingsDep, UploadJobsDep, WriteLockDep
from ..schemas import UploadJobOut, UploadRefusedOut, error_responses
from ..upload_jobs import UploadJob
from ..uploads import UploadRefused, index_upload, screen
from .documents import UPLOAD_ENCODING, UploadFiles

router = APIRouter(prefix="/uploads", tags=["documents"])


@router.post("", status_code=202, response_model=UploadJobOut, openapi_extra=UPLOAD_ENCODING,
             responses=error_responses(413, 422, 429) | error_responses(400, 415, model=UploadRefusedOut))
async def start_upload(files: UploadFiles, engine: EngineDep, settings: SettingsDep, write_lock: WriteLockDep,
                       jobs: UploadJobsDep) -> dict:
    """Starts indexing the files and answers at once (202) with the job's id. A request none of
    whose files can be read by their name, type or size is refused here as POST /documents
    refuses it; what their content yields, GET /uploads/{upload_id} tells."""
    screened = await run_in_threadpool(screen, files, settings.max_upload_bytes)
    if not screened.accepted:
        raise UploadRefused(screened.refused)

    def work(job: UploadJob) -> Awaitable[dict]:
        return index_upload(engine, screened, write_lock, on_page=job.page, on_write=job.indexing)

    return jobs.start(len(screened.accepted), work).to_dict()


@router.get("/{upload_id}", response_model=UploadJobOut, responses=error_responses(404, 422))
async def get_upload(upload_id: str, jobs: UploadJobsDep) -> dict:
    """How the upload is going: the page OCR read last, then the report (or the error) that POST
    /documents would have answered. Kept for an hour after it finishes."""
    return jobs.get(upload_id).to_dict()
