"""Serving the app with uvicorn, with limits on slow and idle clients.

uvicorn closes an idle kept-alive connection, but not one that sends its request slowly: a
client trickling its headers or its body holds a connection (and a file, and a task) for as long
as it likes. An ASGI middleware cannot help with headers, as the app sees a request only once
they are complete; so the guard sits in the protocol, where the bytes arrive, and closes a
connection whose request head or body is not in within its time. A body's time grows with what
it brings (as Apache's mod_reqtimeout does): a large upload on a slow but honest link gets through.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from rag.settings import Settings


@dataclass(frozen=True)
class RequestTimes:
    header_seconds: float
    body_seconds: float
    body_min_rate: int  # bytes a second that earn a slow body one more second


class GuardedH11Protocol(H11Protocol):
    def __init__(self, *args, times: RequestTimes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._times = times
        self._phase: str | None = None  # "head" or "body" while one is coming in
        self._started = 0.0
        self._received = 0
        self._timer = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        # A new connection that sends nothing is as idle as a kept-alive one: uvicorn arms the
        # keep-alive timer only after a first response.
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        state = self.conn.their_state
        if state is h11.IDLE and self.conn.trailing_data[0]:
            self._enter("head", self._times.header_seconds)
        elif state is h11.SEND_BODY:
            self._enter("body", self._times.body_seconds)
            self._received += len(data)
        else:
            self._leave()

    def connection_lost(self, exc: Exception | None) -> None:
        self._leave()
        super().connection_lost(exc)

    def _enter(self, phase: str, seconds: float) -> None:
        if self._phase != phase:
            self._leave()
            self._phase, self._started, self._received = phase, self.loop.time(), 0
            self._timer = self.loop.call_later(seconds, self._expire)

    def _leave(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._phase = self._timer = None

    def _expire(self) -> None:
        self._timer = None
        if self._phase == "body":
            due = self._started + self._times.body_seconds + self._received / self._times.body_min_rate
            if self.loop.time() < due:
                self._timer = self.loop.call_later(due - self.loop.time(), self._expire)
                return
        if not self.transport.is_closing():
            self.logger.info("closed a connection from %s: its request %s was not in on time",
                             self.client and self.client[0], self._phase)
            self.transport.close()
        self._phase = None


def options(settings: Settings) -> dict:
    """uvicorn's options for this app (for uvicorn.run or uvicorn.Config): the guarded HTTP protocol
    and the RAG_* limits."""
    times = RequestTimes(settings.header_timeout, settings.body_timeout, settings.body_min_rate)
    return {"http": functools.partial(GuardedH11Protocol, times=times),
            "timeout_keep_alive": settings.keep_alive_timeout, "limit_concurrency": settings.max_connections,
            "h11_max_incomplete_event_size": settings.max_header_bytes}
