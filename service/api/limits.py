"""Caps on request body size, enforced while the body is read.

FastAPI's own `max_body_size` answers an oversized request with a plain-text 413 of its own,
past every exception handler; this middleware raises HTTPException(413) from inside the body
read instead, so the answer is the usual JSON `detail` with advice.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class Limit:
    bytes: int
    message: str  # the 413's detail: what the limit is, what to send instead


class BodyLimit:
    def __init__(self, app: ASGIApp, *, default: Limit, by_path: dict[str, Limit]) -> None:
        self.app = app
        self.default = default
        self.by_path = by_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.by_path.get(scope["path"], self.default)
        declared = Headers(scope=scope).get("content-length", "")
        received = 0

        # Counting as well as trusting Content-Length: a chunked body declares no length.
        async def limited_receive() -> Message:
            nonlocal received
            if declared.isdigit() and int(declared) > limit.bytes:
                raise HTTPException(413, limit.message)
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit.bytes:
                raise HTTPException(413, limit.message)
            return message

        await self.app(scope, limited_receive, send)
