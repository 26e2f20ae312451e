"""Prometheus metrics, kept in a registry of the app's own so that two apps never mix counts."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Seconds; answers usually take tens of milliseconds, a cold or contended model up to seconds.
ASK_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# nginx's "client closed request": counted apart from the server's own failures.
CLIENT_CLOSED = 499


@dataclass(frozen=True)
class IndexCounts:
    documents: int
    chunks: int


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "rag_http_requests", "HTTP requests by method, route template and status code.",
            ["method", "route", "status"], registry=self.registry,
        )
        self.ask_seconds = Histogram(
            "rag_ask_seconds", "Time to answer a question, by whether an answer was found.",
            ["found"], buckets=ASK_BUCKETS, registry=self.registry,
        )
        self.documents = Gauge("rag_documents", "Documents in the index.", registry=self.registry)
        self.chunks = Gauge("rag_chunks", "Chunks in the index.", registry=self.registry)

    def observe_answer(self, seconds: float, found: bool) -> None:
        self.ask_seconds.labels(found=str(found).lower()).observe(seconds)

    def render(self, counts: IndexCounts) -> str:
        # The gauges are read at scrape time: the CLI may change the index behind the service.
        self.documents.set(counts.documents)
        self.chunks.set(counts.chunks)
        return generate_latest(self.registry).decode("utf-8")


class RequestCounter:
    """Counts every response by route template (not raw path, which would grow without bound)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # unless a response starts, the request failed
        started = left = False  # left: the client went away before a response started

        async def recording_receive() -> Message:
            nonlocal left
            message = await receive()
            # The client left (or the server closed a slow one) before its answer: whatever the app
            # answers after that reaches no one, and it is not the server's failure.
            left = left or (message["type"] == "http.disconnect" and not started)
            return message

        async def recording_send(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
            await send(message)

        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], route, str(CLIENT_CLOSED if left else status)).inc()
