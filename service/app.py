"""create_app: the FastAPI app over one Engine, opened (and warmed up) once per process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

import rag
from rag.engine import MAX_QUESTION_CHARS, Engine
from rag.keys import KeyStore
from rag.settings import Settings

from .api import errors
from .api.deps import open_access, require_key
from .api.limits import BodyLimit, Limit
from .api.monitoring import Metrics, RequestCounter
from .api.routes import ask, collections, documents, health, metrics, page, schema, uploads
from .api.schemas import error_responses
from .api.upload_jobs import UploadJobs
from .api.uploads import upload_too_large
from .audit import AuditLog, AuditTrail

# JSON bodies are small: a 2000-character question, even with every character \u-escaped,
# fits many times over.
JSON_BODY_LIMIT = 64 * 1024
# Multipart framing around the files of an upload; the files themselves are checked exactly.
MULTIPART_ALLOWANCE = 1024 * 1024
# Slack's payloads: a long direct message, escaped, can pass the JSON limit; it gets an answer, not a 413.
SLACK_BODY_LIMIT = 1024 * 1024

# FastAPI's native OpenTelemetry hooks stay off: the service sends nothing anywhere.
NO_TELEMETRY = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False,
                "auto_configure": False}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = Engine(app.state.settings)
    try:
        # The model loads now rather than on the first question, which would otherwise be slow.
        engine.warm_up()
        app.state.engine = engine
        yield
    finally:
        await app.state.uploads.drain()  # the uploads under way finish before the engine closes
        app.state.engine = None  # /readyz says 503 from here on
        if (slack := getattr(app.state, "slack", None)) is not None:
            slack.close()  # lets the Slack answers under way finish before the engine closes
        engine.close()
        app.state.keys.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    keys = KeyStore(settings.index_dir)
    # Keys are asked for when there are any at start (RAG_API_KEY, or made by 'rag keys add'); a
    # service started without, and given keys later, asks for them too (deps.open_access).
    keyed = bool(settings.api_key) or keys.any()
    # With keys, FastAPI's own schema and docs routes, which take no dependencies, are off: the
    # schema is served by a guarded route instead, and the docs page is not served, since a browser
    # cannot send the key when it opens a page.
    public_docs = not keyed
    app = FastAPI(
        title="rag-cited",
        summary="Cited answers from an organisation's documents (en, es, pt), offline.",
        version=rag.__version__,
        lifespan=lifespan,
        telemetry=NO_TELEMETRY,
        openapi_url="/openapi.json" if public_docs else None,
        docs_url="/docs" if public_docs else None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.keys = keys
    app.state.metrics = Metrics()
    app.state.write_lock = asyncio.Lock()

    # Order matters: the request counter, added last, wraps the 500 handler and so counts 500s.
    upload_limit = Limit(settings.max_upload_bytes + MULTIPART_ALLOWANCE, upload_too_large(settings.max_upload_bytes))
    json_limit = Limit(JSON_BODY_LIMIT, f"the request body is over {JSON_BODY_LIMIT} bytes; "
                                        f"a question holds at most {MAX_QUESTION_CHARS} characters.")
    slack_limit = Limit(SLACK_BODY_LIMIT, f"the request body is over {SLACK_BODY_LIMIT} bytes.")
    app.add_middleware(BodyLimit, default=json_limit, by_path={"/documents": upload_limit, "/uploads": upload_limit,
                                                               "/slack/events": slack_limit})
    errors.install(app, log_questions=settings.log_questions)
    app.state.audit = None
    if settings.audit_log:  # outside the 500 handler, so that a 500 is recorded too
        app.state.audit = AuditLog(settings.audit_log, log_questions=settings.log_questions)
        app.add_middleware(AuditTrail, audit=app.state.audit)
    app.state.uploads = UploadJobs(audit=app.state.audit)  # a job writes its own line when it finishes
    app.add_middleware(RequestCounter, metrics=app.state.metrics)

    # The key's bearer dependency (and so the schema's bearer security and 401s) exists only with
    # keys: a schema that asked for a key the service does not check would be untrue.
    guarded: dict = {"dependencies": [Depends(open_access)]}
    if keyed:
        guarded = {"dependencies": [Depends(require_key)], "responses": error_responses(401)}
        app.include_router(schema.router, **guarded)
    app.include_router(health.router)
    app.include_router(page.router)
    app.include_router(ask.router, **guarded)
    app.include_router(documents.router, **guarded)
    app.include_router(uploads.router, **guarded)
    app.include_router(collections.router, **guarded)
    app.include_router(metrics.router, **guarded)
    if settings.slack_bot_token or settings.slack_signing_secret or settings.slack_app_token:
        from .slack import install  # slack-bolt is imported only when a Slack setting is given

        install(app, settings)  # POST /slack/events: Slack signs its requests, no API key
    return app
