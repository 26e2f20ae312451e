"""GET /healthz: liveness for load balancers; never needs the API key."""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import IndexCountsDep
from ..schemas import Health

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health)
def healthz(counts: IndexCountsDep) -> dict:
    return {"status": "ok", "documents": counts.documents, "chunks": counts.chunks}
