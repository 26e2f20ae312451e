"""What routes need, as `Annotated[..., Depends()]` aliases: the engine, settings, metrics, auth."""

from __future__ import annotations

import asyncio
import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rag.engine import Engine
from rag.errors import Unauthorized
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

# auto_error=False: a missing or non-Bearer header reaches require_api_key, which answers it
# like every other error.
_bearer = HTTPBearer(auto_error=False, description="The key set in RAG_API_KEY.")


async def require_api_key(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """The guard create_app puts on every route but the probes and the page, when a key is set."""
    expected = settings.api_key
    if credentials is None:
        raise Unauthorized("missing API key; send the header 'Authorization: Bearer <key>' "
                           "with the key set in RAG_API_KEY.")
    if not hmac.compare_digest(credentials.credentials.encode("utf-8"), expected.encode("utf-8")):
        raise Unauthorized("wrong API key; send 'Authorization: Bearer <key>' with the key set in RAG_API_KEY.")
