"""GET /healthz and GET /readyz, for load balancers and orchestrators; never need the API key.

Both answer while every worker thread is busy with questions. /healthz touches nothing but the
event loop. /readyz counts the index in a thread of its own limiter, so it does not queue behind
the questions in the default thread pool either.
"""

from __future__ import annotations

import sqlite3

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..schemas import Live, NotReady, Ready

router = APIRouter(tags=["operations"])

# One probe at a time is plenty; more would only wait their turn here.
_probes = CapacityLimiter(1)


@router.get("/healthz", response_model=Live)
async def healthz() -> dict:
    """Liveness: the process answers HTTP. Says nothing about the index; see /readyz."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Ready, responses={503: {"model": NotReady}})
async def readyz(request: Request) -> dict | JSONResponse:
    """Readiness: the index is open and answers; 503 while it is not (starting or shutting down)."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return not_ready("the index is not open yet, or no longer; try again shortly.")
    try:
        documents, chunks = await to_thread.run_sync(engine.index.store.count, limiter=_probes)
    except sqlite3.Error as exc:
        return not_ready(f"the index does not answer ({exc}); see the server log.")
    return {"status": "ready", "documents": documents, "chunks": chunks}


def not_ready(detail: str) -> JSONResponse:
    return JSONResponse({"status": "not ready", "detail": detail}, status_code=503)
