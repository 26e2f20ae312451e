"""What routes need, as `Annotated[..., Depends()]` aliases: the engine, settings, metrics, the caller's access."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rag.access import Access
from rag.engine import Engine
from rag.errors import Forbidden
from rag.keys import KeyStore, authenticate
from rag.settings import Settings

from .monitoring import IndexCounts, Metrics
from .upload_jobs import UploadJobs


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


async def get_write_lock(request: Request) -> asyncio.Lock:
    return request.app.state.write_lock


async def get_uploads(request: Request) -> UploadJobs:
    return request.app.state.uploads


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
# The index takes one writer at a time; uploads and removals in this process queue up behind it
# instead of failing with IndexBusy, which is left for writers in other processes (the CLI).
WriteLockDep = Annotated[asyncio.Lock, Depends(get_write_lock)]
UploadJobsDep = Annotated[UploadJobs, Depends(get_uploads)]


def index_counts(engine: EngineDep) -> IndexCounts:
    documents, chunks = engine.index.store.count()
    return IndexCounts(documents, chunks)


IndexCountsDep = Annotated[IndexCounts, Depends(index_counts)]

async def get_keys(request: Request) -> KeyStore:
    return request.app.state.keys


KeysDep = Annotated[KeyStore, Depends(get_keys)]

# auto_error=False: a missing or non-Bearer header reaches require_key, which answers it like
# every other error.
_bearer = HTTPBearer(auto_error=False, description="A key made by 'rag keys add', or the one set in RAG_API_KEY.")


async def require_key(
    request: Request, settings: SettingsDep, keys: KeysDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """The guard create_app puts on every route but the probes and the page when the service has
    keys: the key's access, or 401."""
    presented = credentials.credentials if credentials else None
    request.state.access = authenticate(presented, keys=keys, api_key=settings.api_key)


async def open_access(request: Request, settings: SettingsDep, keys: KeysDep) -> None:
    """The guard of a service started without keys: everyone may do everything, as before keys
    existed, until a key is added ('rag keys add' while it runs); from then on every request
    needs a key, read from the header here (the schema states no key: restart to have it say so)."""
    if not keys.any():
        request.state.access = Access.everything(None)
        return
    scheme, _, presented = (request.headers.get("authorization") or "").partition(" ")
    request.state.access = authenticate(presented.strip() if scheme.lower() == "bearer" else None,
                                        keys=keys, api_key=settings.api_key)


async def current_access(request: Request) -> Access:
    return request.state.access


AccessDep = Annotated[Access, Depends(current_access)]


async def require_admin(access: AccessDep) -> None:
    """Whole-index figures (/metrics) and keys are the administrator's."""
    if not access.admin:
        raise Forbidden("this needs an admin key ('rag keys add NAME --admin', or RAG_API_KEY).")
