"""GET /metrics: Prometheus text exposition of the app's own registry."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from ..deps import IndexCountsDep, MetricsDep, require_admin
from ..schemas import error_responses

# The whole index's counts are the administrator's: a key of one collection learns nothing of the
# others' size. No label names a document: routes are counted by template (/documents/{doc_id}).
router = APIRouter(tags=["operations"], dependencies=[Depends(require_admin)], responses=error_responses(403))

# The route's response class has no media type of its own, so that FastAPI documents its errors
# as the JSON they are; the 200 is documented here as the Prometheus text it is.
PROMETHEUS = {200: {"description": "Prometheus text exposition format.",
                    "content": {"text/plain": {"schema": {"type": "string"}}}}}


@router.get("/metrics", response_model=None, response_class=Response, responses=PROMETHEUS)
def prometheus_metrics(counts: IndexCountsDep, metrics: MetricsDep) -> PlainTextResponse:
    return PlainTextResponse(metrics.render(counts), media_type=CONTENT_TYPE_LATEST)
