"""GET /metrics: Prometheus text exposition of the app's own registry."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from ..deps import IndexCountsDep, MetricsDep

router = APIRouter(tags=["operations"])

# The route's response class has no media type of its own, so that FastAPI documents its errors
# as the JSON they are; the 200 is documented here as the Prometheus text it is.
PROMETHEUS = {200: {"description": "Prometheus text exposition format.",
                    "content": {"text/plain": {"schema": {"type": "string"}}}}}


@router.get("/metrics", response_model=None, response_class=Response, responses=PROMETHEUS)
def prometheus_metrics(counts: IndexCountsDep, metrics: MetricsDep) -> PlainTextResponse:
    return PlainTextResponse(metrics.render(counts), media_type=CONTENT_TYPE_LATEST)
