"""Every failure leaves the service as JSON `{"detail": "<what happened; what to do>"}`.

Domain errors (rag.errors.RagError) carry their own status and message. Request validation and
Starlette's own HTTP errors are reworded into one line. Anything else becomes a 500 with a
reference to the server log, where the question is withheld unless RAG_LOG_QUESTIONS is true.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.errors import RagError

from .schemas import NOT_BLANK

log = logging.getLogger("service")

WITHHELD = "<question withheld; set RAG_LOG_QUESTIONS=true to log questions>"


def install(app: FastAPI, *, log_questions: bool) -> None:
    app.add_exception_handler(RagError, rag_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_middleware(CatchAll, log_questions=log_questions)


def remember_question(request: Request, question: str) -> None:
    """Lets a 500 withhold the question from the log; call it before working on the question."""
    request.state.question = question


# --- expected errors ---------------------------------------------------------------------------

def one_line(message: str) -> str:
    """Messages may quote a library's multi-line text; a `detail` is one line."""
    return " ".join(message.split())


async def rag_error(request: Request, exc: RagError) -> JSONResponse:
    # Errors raised by the service may add fields next to `detail` (an upload's refused files).
    body = {"detail": one_line(exc.message), **getattr(exc, "extra", {})}
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return JSONResponse(body, status_code=exc.http_status, headers=headers)


async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    # The inputs are left out of `errors`: they can be long, and the question is one of them.
    errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    detail = "invalid request: " + "; ".join(_describe(e) for e in exc.errors()) + "; fix it and try again."
    return JSONResponse({"detail": one_line(detail), "errors": errors}, status_code=422)


def _describe(error: dict) -> str:
    loc = list(error["loc"])
    where = ".".join(str(part) for part in (loc[1:] if loc[:1] == ["body"] else loc))
    kind = error["type"]
    if kind == "json_invalid":
        reason = error.get("ctx", {}).get("error", error["msg"])
        return f"the body is not valid JSON ({reason} at character {where or 0})"
    if kind == "extra_forbidden":
        return f"unknown field '{where}'"
    if kind == "missing":
        return f"'{where}' is required" if where else "the request has no body"
    if not where and kind in ("model_attributes_type", "model_type", "dict_type"):
        return "the body must be a JSON object, sent with 'Content-Type: application/json'"
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == NOT_BLANK:
        return f"'{where}' is blank; it needs a character other than spaces"
    return f"'{where or 'body'}': {error['msg']}"


async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    headers = exc.headers
    if exc.status_code == 405:
        headers = {"Allow": ", ".join(allowed_methods(request))}
    return JSONResponse({"detail": one_line(_reword(request, exc, headers))}, status_code=exc.status_code,
                        headers=headers)


# The methods a route may have; HEAD comes with every GET.
METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path: Starlette's 405 names only one route's.

    GET and POST /documents are two routes, so PUT /documents would say `Allow: GET`.
    """
    routes = request.app.router.routes
    return [method for method in METHODS
            if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)]


def _reword(request: Request, exc: HTTPException, headers: dict[str, str] | None) -> str:
    if exc.detail != HTTPStatus(exc.status_code).phrase:
        return str(exc.detail)
    if exc.status_code == 404:
        return (f"no endpoint at {request.url.path}; the API has POST /ask, GET|POST /documents, "
                "GET|DELETE /documents/{doc_id}, GET /documents/{doc_id}/text, GET /documents/{doc_id}/pages, "
                "POST /uploads, GET /uploads/{upload_id}, GET /collections, GET /healthz, GET /readyz and "
                "GET /metrics.")
    if exc.status_code == 405:
        return f"{request.method} is not allowed on {request.url.path}; use {(headers or {})['Allow']}."
    return str(exc.detail)


# --- unexpected errors -------------------------------------------------------------------------

def internal_error(where: str, traceback_text: str) -> dict:
    """Logs an unexpected failure under a new reference; the 500 body that names it."""
    reference = uuid.uuid4().hex[:12]
    log.error("unexpected error, reference %s, %s:\n%s", reference, where, traceback_text)
    return {"detail": f"internal error, reference {reference}; try again, and if it keeps failing "
                      "give the reference to the administrator (it is in the server log).",
            "reference": reference}


class CatchAll:
    """Turns any unexpected exception into a 500 with a reference id, logged here and only here.

    Starlette's last-resort handler re-raises to the server, which would log the traceback again,
    question and all; this middleware handles the exception before it gets there.
    """

    def __init__(self, app: ASGIApp, *, log_questions: bool) -> None:
        self.app = app
        self.log_questions = log_questions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            body = internal_error(f"on {scope['method']} {scope['path']}", self._traceback(exc, scope))
            if started:  # too late for a clean 500; the server closes the connection
                return
            await JSONResponse(body, status_code=500)(scope, receive, send)

    def _traceback(self, exc: Exception, scope: Scope) -> str:
        text = "".join(traceback.format_exception(exc))
        question = scope.get("state", {}).get("question")
        if self.log_questions or not question:
            return text
        # An exception message may quote the question, as itself or as its repr().
        for form in (question, repr(question)[1:-1]):
            text = text.replace(form, WITHHELD)
        return text
