"""The Slack bot: a slack-bolt App over the service's one Engine, served at POST /slack/events
(HTTP mode) and, with an app-level token, over Socket Mode.

Bolt verifies every HTTP request's signature and timestamp (401 otherwise), acknowledges at
once, and runs the listeners in the bot's own threads, so that Slack has its answer within its
3 seconds while the question is answered after.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from slack_bolt import App
from slack_bolt.adapter.fastapi import SlackRequestHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from slack_sdk.http_retry import all_builtin_retry_handlers
from starlette.responses import Response

from rag.access import DEFAULT_COLLECTION, check_collection
from rag.errors import InvalidInput
from rag.feedback import FeedbackStore
from rag.schema import Answer
from rag.settings import Settings

from ..api.errors import WITHHELD
from ..audit import AuditLog
from . import listeners
from .listeners import NotServed
from .blocks import HELPFUL, NOT_HELPFUL, POST_TO_CHANNEL

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from rag.engine import Engine

log = logging.getLogger("service.slack")

SLACK_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"
LISTENER_THREADS = 8
SEEN_EVENTS_SECONDS = 3600  # Slack retries an event three times, over about five minutes
SEEN_EVENTS_MAX = 100_000
THREAD_LOCKS = 64
DIRECT_MESSAGES = "dm"  # RAG_SLACK_COLLECTIONS's entry for direct messages
SLACK_OWNER = "slack"  # the owner of the bot's conversations, each filed under its thread


class SlackBot:
    """The bolt App, and what its listeners use: the engine, the feedback store, the log."""

    def __init__(self, settings: Settings, *, engine: Callable[[], Engine | None], client: WebClient | None = None,
                 on_answer: Callable[[float, bool], None] | None = None, audit: AuditLog | None = None) -> None:
        self.settings = settings
        self.engine = engine  # the service's engine, opened by its lifespan; None before and after
        self.log_questions = settings.log_questions
        self.on_answer = on_answer
        self.audit = audit
        self.feedback = FeedbackStore.beside(settings.index_dir)
        self.seen = SeenEvents()
        self.executor = ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="slack")
        # Turns of one thread are asked one after the other, so each sees the one before.
        self._thread_locks = [threading.Lock() for _ in range(THREAD_LOCKS)]
        self.socket_mode: SocketModeHandler | None = None
        self._closed = threading.Event()
        self.app = build_slack_app(settings, bot=self, client=client)

    # --- what listeners call ---------------------------------------------------------------------

    def collections_for(self, channel: str, *, direct: bool) -> frozenset[str]:
        """The collections answered in a channel (RAG_SLACK_COLLECTIONS; "dm" for direct messages);
        NotServed where none is named. Without the setting, the default collection everywhere."""
        mapping = self.settings.slack_collections
        if mapping is None:
            return frozenset({DEFAULT_COLLECTION})
        named = mapping.get(DIRECT_MESSAGES if direct else channel)
        if not named:
            raise NotServed(channel)
        return frozenset(named)

    def ask(self, question: str, *, channel: str, direct: bool, thread: str | None = None,
            where: str = "slack") -> Answer:
        """Answers from the channel's collections; within a thread (a conversation key), in the
        light of its earlier turns."""
        collections = self.collections_for(channel, direct=direct)
        engine = self.engine()
        if engine is None:
            raise RuntimeError("the engine is not open (the service is starting or stopping)")
        started = time.perf_counter()
        if thread is None:
            answer = engine.ask(question, collections=collections, owner=SLACK_OWNER)
        else:
            with self._thread_locks[hash(thread) % THREAD_LOCKS]:
                conversation = engine.conversations.resume(thread, SLACK_OWNER)
                answer = engine.ask(question, conversation_id=conversation, collections=collections, owner=SLACK_OWNER)
        if self.audit is not None:  # a failure here is loud: the asker gets an apology, the log the reason
            self.audit.record(key=f"slack:{channel}", route=f"slack {where}",
                              doc_ids=list(dict.fromkeys(c.doc_id for c in answer.citations)), question=question)
        seconds = time.perf_counter() - started
        if self.on_answer:
            self.on_answer(seconds, answer.found)
        if self.log_questions:
            log.info("slack: answered in %.0f ms, found=%s: %r", seconds * 1000, answer.found, question)
        else:
            log.info("slack: answered in %.0f ms, found=%s", seconds * 1000, answer.found)
        return answer

    def report(self, exc: BaseException, question: str | None, where: str) -> str:
        """Logs an unexpected error with a new reference, the question withheld; returns the reference."""
        reference = uuid.uuid4().hex[:12]
        text = "".join(traceback.format_exception(exc))
        if question and not self.log_questions:
            for form in (question, repr(question)[1:-1]):  # as itself or as its repr()
                text = text.replace(form, WITHHELD)
        log.error("slack %s: unexpected error, reference %s:\n%s", where, reference, text)
        return reference

    def language_of(self, question: str) -> str:
        try:
            return self.engine().detector.detect(question)
        except Exception:  # noqa: BLE001 — an apology in English beats none
            return "en"

    # --- running ---------------------------------------------------------------------------------

    def start_socket_mode(self) -> SocketModeHandler:
        """Connects over Socket Mode (RAG_SLACK_APP_TOKEN) from a background thread, once the
        engine is open; for teams that cannot give Slack a URL to call."""
        from slack_bolt.adapter.socket_mode import SocketModeHandler  # slack_sdk's own client: no extra packages

        if not self.settings.slack_app_token:
            raise InvalidInput("Socket Mode needs RAG_SLACK_APP_TOKEN (an xapp- token with connections:write).")
        self.socket_mode = SocketModeHandler(self.app, self.settings.slack_app_token)
        threading.Thread(target=self._connect_when_ready, name="slack-socket-mode", daemon=True).start()
        return self.socket_mode

    def _connect_when_ready(self) -> None:
        while self.engine() is None:
            if self._closed.wait(0.1):
                return
        try:
            self.socket_mode.connect()
            log.info("slack: connected over Socket Mode")
        except Exception as exc:  # noqa: BLE001
            reference = self.report(exc, None, "socket mode")
            log.error("slack: Socket Mode could not connect (reference %s); check RAG_SLACK_APP_TOKEN and that "
                      "Socket Mode is on in the app's settings, then restart the service.", reference)

    def close(self) -> None:
        """Stops taking events, lets the answers under way finish, closes the feedback store."""
        self._closed.set()
        if self.socket_mode is not None:
            self.socket_mode.close()
        self.executor.shutdown(wait=True)
        self.feedback.close()


class SeenEvents:
    """Event ids received lately, so that an event Slack delivers twice is handled once."""

    def __init__(self, *, seconds: float = SEEN_EVENTS_SECONDS, limit: int = SEEN_EVENTS_MAX,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.limit = limit
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, event_id: str) -> bool:
        """True the first time an id is seen (within the window), False after."""
        now = self._clock()
        with self._lock:
            while self._seen and (len(self._seen) >= self.limit
                                  or next(iter(self._seen.values())) < now - self.seconds):
                self._seen.popitem(last=False)  # the oldest first: ids are kept in the order seen
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            return True


def web_client(settings: Settings) -> WebClient:
    """The Web API client: Slack's own, or RAG_SLACK_API_URL (a proxy; the tests' fake Slack)."""
    base_url = (settings.slack_api_url or SLACK_API_URL).rstrip("/") + "/"
    # Besides a dropped connection, a rate limit (429) is waited out and retried: busy channels
    # post many answers, and Slack limits chat.postMessage to about one a second per channel.
    return WebClient(token=settings.slack_bot_token, base_url=base_url, retry_handlers=all_builtin_retry_handlers())


def build_slack_app(settings: Settings, *, bot: SlackBot, client: WebClient | None = None) -> App:
    """The bolt App with the bot's listeners; `client` defaults to web_client(settings)."""
    app = App(
        name="rag-slack",
        client=client or web_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        # Without a secret there is no HTTP route (Socket Mode only), so nothing unverified gets in.
        request_verification_enabled=bool(settings.slack_signing_secret),
        # auth.test runs on the first request rather than here: starting the service needs no network.
        token_verification_enabled=False,
        process_before_response=False,  # acknowledge at once, answer after, in the bot's threads
        listener_executor=bot.executor,
    )
    app.use(listeners.attach_bot(bot))
    app.use(listeners.drop_repeats)
    app.event("app_mention")(listeners.answer_mention)
    app.event({"type": "message", "subtype": None}, matchers=[listeners.in_direct_message])(
        listeners.answer_direct_message)
    app.event("message")(listeners.ignore)
    # Any command of this app asks: the manifest names it /ask, and a workspace may rename it.
    app.command(re.compile(r"^/"))(listeners.answer_command)
    app.action(HELPFUL)(listeners.record_feedback)
    app.action(NOT_HELPFUL)(listeners.record_feedback)
    app.action(POST_TO_CHANNEL)(listeners.post_to_channel)
    return app


class SlackEvents(SlackRequestHandler):
    """bolt's FastAPI adapter, dispatching in a worker thread: bolt is synchronous (auth.test on
    the first request, waiting for a listener's ack()), and the event loop must not wait on it."""

    async def handle(self, req: Request, addition_context_properties: dict | None = None) -> Response:
        if req.method != "POST":
            return await super().handle(req, addition_context_properties)
        body = await req.body()
        bolt_request = to_bolt_request(req, body, addition_context_properties)
        return to_starlette_response(await run_in_threadpool(self.app.dispatch, bolt_request))


def configuration_problem(settings: Settings) -> str | None:
    for channel, names in (settings.slack_collections or {}).items():
        for name in names:
            try:
                check_collection(name)
            except InvalidInput as exc:
                return f"RAG_SLACK_COLLECTIONS, channel '{channel}': {exc.message}"
    if not settings.slack_bot_token:
        given = [name for name, value in (("RAG_SLACK_SIGNING_SECRET", settings.slack_signing_secret),
                                          ("RAG_SLACK_APP_TOKEN", settings.slack_app_token)) if value]
        if given:
            return (f"{' and '.join(given)} {'is' if len(given) == 1 else 'are'} set but RAG_SLACK_BOT_TOKEN is not; "
                    "set the bot's xoxb- token too, or unset the Slack settings (see README, Slack).")
        return None
    if not (settings.slack_signing_secret or settings.slack_app_token):
        return ("RAG_SLACK_BOT_TOKEN is set but neither RAG_SLACK_SIGNING_SECRET (events over HTTP, at POST "
                "/slack/events) nor RAG_SLACK_APP_TOKEN (Socket Mode) is; set one of them (see README, Slack).")
    return None


def install(app: FastAPI, settings: Settings, *, client: WebClient | None = None) -> SlackBot | None:
    """Adds the bot to the FastAPI app when the settings ask for it: `app.state.slack`, and
    POST /slack/events when there is a signing secret. Slack signs its requests: the route needs
    no API key. The bot uses the app's engine, opened by its lifespan."""
    problem = configuration_problem(settings)
    if problem:
        raise InvalidInput(problem)
    if not settings.slack_bot_token:
        return None
    metrics = getattr(app.state, "metrics", None)
    bot = SlackBot(settings, engine=lambda: getattr(app.state, "engine", None), client=client,
                   on_answer=metrics.observe_answer if metrics else None, audit=getattr(app.state, "audit", None))
    app.state.slack = bot
    if settings.slack_signing_secret:
        handler = SlackEvents(bot.app)

        async def slack_events(request: Request) -> Response:
            return await handler.handle(request)

        app.add_api_route(EVENTS_PATH, slack_events, methods=["POST"], include_in_schema=False)
    return bot


class _WithholdBodies(logging.Filter):
    """bolt logs a refused request's whole body, question and all; keep only that it was refused."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Invalid request signature detected"):
            record.msg, record.args = "Invalid request signature or timestamp; refused with 401", ()
        return True


_verification_log = logging.getLogger("slack_bolt.RequestVerification")
if not any(isinstance(f, _WithholdBodies) for f in _verification_log.filters):
    _verification_log.addFilter(_WithholdBodies())
