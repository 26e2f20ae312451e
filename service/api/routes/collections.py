"""GET /collections: the collections the key may use, with what it may do in each.

The web page fills its upload target and its filter from it. A collection the key may only write
is listed without its counts: writing into it tells nothing of what others put there.
"""

from __future__ import annotations

from fastapi import APIRouter

from rag.access import DEFAULT_COLLECTION

from ..deps import AccessDep, EngineDep
from ..schemas import CollectionOut

router = APIRouter(tags=["documents"])


@router.get("/collections", response_model=list[CollectionOut])
def list_collections(engine: EngineDep, access: AccessDep) -> list[dict]:
    counts = {name: (documents, chunks) for name, documents, chunks in engine.index.store.collections()}
    # The key's own collections, even while empty; all that exist (and the default) for an admin.
    named = (access.read or frozenset()) | (access.write or frozenset())
    names = (set(counts) | {DEFAULT_COLLECTION}) if access.read is None else named
    out = []
    for name in sorted(names):
        readable = access.can_read(name)
        documents, chunks = counts.get(name, (0, 0)) if readable else (None, None)
        out.append({"name": name, "documents": documents, "chunks": chunks, "read": readable,
                    "write": access.can_write(name)})
    return out
