"""The audit trail (RAG_AUDIT_LOG): one JSON line per HTTP request and per Slack answer.

Each line holds the time, the key's name, the route, the status and the doc_ids the request
returned or opened; the question only when RAG_LOG_QUESTIONS is true. The file is only ever
appended to (opened with O_APPEND for each line, so that it may be rotated by moving it away).
A line that cannot be written is loud: the request answers 500 instead of its result, and the
server log says why. A request whose access went unrecorded must not have happened quietly.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.errors import AuditFailed

log = logging.getLogger("service.audit")


class AuditLog:
    def __init__(self, path: Path, *, log_questions: bool) -> None:
        self.path = Path(path)
        self.log_questions = log_questions
        self._lock = threading.Lock()
        self.write({"event": "start"})  # a path that cannot be written stops the service from starting

    def record(self, *, key: str | None, route: str, doc_ids: list[str], status: int | None = None,
               question: str | None = None) -> None:
        entry = {"key": key, "route": route, "status": status, "doc_ids": doc_ids}
        if self.log_questions and question is not None:
            entry["question"] = question
        self.write(entry)

    def write(self, entry: dict) -> None:
        line = json.dumps({"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), **entry},
                          ensure_ascii=False) + "\n"
        try:
            with self._lock, open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line)
        except OSError as exc:
            log.error("the audit log %s could not be written: %s", self.path, exc)
            raise AuditFailed(f"the audit log (RAG_AUDIT_LOG={self.path}) could not be written: "
                              f"{exc.strerror or exc}; the result is withheld. Tell the administrator.") from None


def note_documents(request_state, doc_ids) -> None:
    """What a route returned or opened, for its audit line."""
    request_state.audit_doc_ids = list(doc_ids)


class AuditTrail:
    """Writes a request's line when its response starts, before any of it is sent; when the line
    cannot be written, the response is replaced by a 500 that says so."""

    def __init__(self, app: ASGIApp, *, audit: AuditLog) -> None:
        self.app = app
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        failed = False

        async def audited_send(message: Message) -> None:
            nonlocal failed
            if failed:
                return  # the rest of the withheld response
            if message["type"] == "http.response.start":
                state = scope.get("state", {})
                access = state.get("access")
                route = getattr(scope.get("route"), "path", None) or scope["path"]
                try:
                    self.audit.record(key=access.name if access else None, route=f"{scope['method']} {route}",
                                      status=message["status"], doc_ids=state.get("audit_doc_ids", []),
                                      question=state.get("question"))
                except AuditFailed as exc:
                    failed = True
                    body = json.dumps({"detail": exc.message}).encode("utf-8")
                    await send({"type": "http.response.start", "status": exc.http_status,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]})
                    await send({"type": "http.response.body", "body": body})
                    return
            await send(message)

        await self.app(scope, receive, audited_send)
