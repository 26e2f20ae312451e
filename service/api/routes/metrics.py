"""GET /metrics: Prometheus text exposition of the app's own registry."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST

from ..deps import IndexCountsDep, MetricsDep
from ..schemas import error_responses

router = APIRouter(tags=["operations"])


class PrometheusText(PlainTextResponse):
    media_type = CONTENT_TYPE_LATEST


@router.get("/metrics", response_model=str, response_class=PrometheusText, responses=error_responses(401))
def prometheus_metrics(counts: IndexCountsDep, metrics: MetricsDep) -> str:
    return metrics.render(counts)
