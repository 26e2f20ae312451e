"""/documents: list, upload, read and remove the indexed documents, within the key's scopes:
reading (list, text, pages) needs read on the document's collection, uploading and removing write.

Parsing and index writes run in worker threads: indexing an upload takes seconds with the real
model, and questions must keep being answered meanwhile. An upload is parsed (in the parser
processes, rag/parsing.py) before it waits for the write lock, so a file that is slow to parse
holds up no other upload (uploads.index_upload). Writers wait for their turn on the event loop,
not in a worker thread, so a queue of uploads cannot use up the threads that answer questions.
POST /documents answers once the files are indexed; POST /uploads (routes/uploads.py) answers at
once and tells how far it has got, page by page of a scan.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from rag.access import COLLECTION_PATTERN, DEFAULT_COLLECTION
from rag.errors import Forbidden
from rag.loaders import SUPPORTED

from ...audit import note_documents
from ..deps import AccessDep, EngineDep, SettingsDep, WriteLockDep
from ..schemas import DocumentOut, DocumentPages, DocumentText, UploadOut, UploadRefusedOut, error_responses
from ..uploads import check_target, index_upload, indexed_ids, screen

router = APIRouter(prefix="/documents", tags=["documents"])

FILES = (f"One or more files named with a supported extension ({', '.join(SUPPORTED)}); a request "
         "whose files are all refused answers 415 when every refusal is for the type, 400 otherwise. "
         "Each attachment of an e-mail (.eml, .msg) of a supported type is indexed as a document of its "
         "own, named '<mail>/<attachment>'; one that cannot be read is listed in `refused`, the mail kept.")
# The file name decides how a file is read, so the schema states it, as the part's
# Content-Disposition header: generated requests then send files that can be indexed.
_NAME = "|".join(s.lstrip(".") for s in SUPPORTED)
UPLOAD_ENCODING = {"requestBody": {"content": {"multipart/form-data": {"encoding": {"files": {"headers": {
    "Content-Disposition": {
        "description": "Each file part names its file; the extension decides how it is read.",
        "required": True,
        "schema": {"type": "string", "pattern": rf'filename="[^"/\\]+\.({_NAME})"',
                   "example": 'form-data; name="files"; filename="report.txt"'},
    },
}}}}}}}


# A collection's name in the query has its pattern in the schema: a bad one is a 422 like any field.
@router.get("", response_model=list[DocumentOut], responses=error_responses(404, 422))
def list_documents(request: Request, engine: EngineDep, access: AccessDep,
                   collection: Annotated[str | None, Query(
                       pattern=COLLECTION_PATTERN,
                       description="Only this collection's documents; without it, those of every collection the "
                                   "key may read. One the key may not read is a 404, like one that does not exist.")]
                   = None) -> list[dict]:
    documents = engine.documents(access.searched([collection] if collection else None,
                                                 engine.index.store.collection_names))
    note_documents(request.state, (d.doc_id for d in documents))
    return [d.to_dict() for d in documents]


UploadFiles = Annotated[list[UploadFile], File(min_length=1, description=FILES)]
TargetCollection = Annotated[str, Query(
    pattern=COLLECTION_PATTERN,
    description="The collection the files go to (one the key may write, else 403); a file replaces the "
                "document of its name in that collection only.")]


@router.post("", response_model=UploadOut, openapi_extra=UPLOAD_ENCODING,
             responses=error_responses(403, 409, 413, 422) | error_responses(400, 415, model=UploadRefusedOut))
async def upload(files: UploadFiles, request: Request, engine: EngineDep, settings: SettingsDep,
                 write_lock: WriteLockDep, access: AccessDep,
                 collection: TargetCollection = DEFAULT_COLLECTION) -> dict:
    """Indexes the files before answering; lists what was added, replaced, unchanged and refused."""
    check_target(access, collection)
    screened = await run_in_threadpool(screen, files, settings.max_upload_bytes)
    report = await index_upload(engine, screened, write_lock, collection=collection)
    note_documents(request.state, indexed_ids(report))
    return report


# A document in a collection the key may not read is a 404 with the message of one that does not
# exist (Index.document): its existence must not leak.

@router.get("/{doc_id}", response_model=DocumentOut, responses=error_responses(404, 422))
def get_document(doc_id: str, request: Request, engine: EngineDep, access: AccessDep) -> dict:
    info = engine.index.document(doc_id, access.read)
    note_documents(request.state, [info.doc_id])
    return info.to_dict()


@router.get("/{doc_id}/text", response_model=DocumentText, responses=error_responses(404, 422))
def get_text(doc_id: str, request: Request, engine: EngineDep, access: AccessDep) -> dict:
    """The text that citations' start and end offsets point into."""
    info = engine.index.document(doc_id, access.read)
    text = engine.index.text(doc_id)
    note_documents(request.state, [info.doc_id])
    return {"doc_id": info.doc_id, "source": info.source, "text": text}


@router.get("/{doc_id}/pages", response_model=DocumentPages, responses=error_responses(404, 422))
def get_pages(doc_id: str, request: Request, engine: EngineDep, access: AccessDep) -> dict:
    """Where each page lies in the document's text, so that an offset can be read as a page."""
    pages = engine.index.pages(doc_id, access.read)
    note_documents(request.state, [doc_id])
    return {"doc_id": doc_id, "pages": [{"page": n, "start": start, "end": end}
                                        for n, (start, end) in enumerate(pages, start=1)]}


@router.delete("/{doc_id}", response_model=DocumentOut, responses=error_responses(403, 404, 409, 422))
async def remove(doc_id: str, request: Request, engine: EngineDep, write_lock: WriteLockDep,
                 access: AccessDep) -> dict:
    """Removes the document and its chunks; answers with what was removed. A document the key may
    read but not write is a 403."""
    info = await run_in_threadpool(engine.index.document, doc_id, access.read)
    if not access.can_write(info.collection):
        raise Forbidden(f"this key may read but not write collection '{info.collection}'; removing a document "
                        "needs a key with --write for its collection.")
    async with write_lock:
        removed = await run_in_threadpool(engine.remove, doc_id=doc_id)
    note_documents(request.state, [removed.doc_id])
    return removed.to_dict()
