"""Slack's side for the tests: a fake Web API on loopback, and requests signed as Slack signs them.

FakeSlack is a real HTTP server (http.server, on 127.0.0.1, in a thread), like bolt-python's own
tests/mock_web_api_server: the bot's WebClient calls it at RAG_SLACK_API_URL, and the response
URLs of commands and button clicks point at it too. It records every call it gets.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode

import httpx

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
TEAM = "T0TEST"
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
USER = "U0ALICE"
CHANNEL = "C0CHANNEL"


@dataclass
class Call:
    method: str  # a Web API method ("chat.postMessage"), or "response_url"
    params: dict
    headers: dict
    path: str = ""


@dataclass
class FakeSlack:
    url: str = ""  # the Web API's base URL, for RAG_SLACK_API_URL
    root: str = ""
    socket_url: str = ""  # what apps.connections.open gives a Socket Mode client
    calls: list[Call] = field(default_factory=list)
    # refuse(call) -> an error code ("invalid_blocks") to answer a Web API call with, or None.
    refuse: Callable[[Call], str | None] | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def record(self, call: Call) -> None:
        with self.changed:
            self.calls.append(call)
            self.changed.notify_all()

    def of(self, *methods: str) -> list[Call]:
        with self.changed:
            return [c for c in self.calls if c.method in methods]

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 20) -> list[Call]:
        with self.changed:
            if not self.changed.wait_for(lambda: predicate(self.calls), timeout):
                raise AssertionError(f"Slack did not get the expected calls; it got {self.calls}")
            return list(self.calls)

    def wait_for_posts(self, n: int = 1, *methods: str, timeout: float = 20) -> list[Call]:
        """The first n messages the bot posted (chat.postMessage, or the methods given)."""
        methods = methods or ("chat.postMessage",)
        self.wait_for(lambda calls: sum(c.method in methods for c in calls) >= n, timeout)
        return self.of(*methods)[:n]

    def response_url(self, name: str) -> str:
        return f"{self.root}/response/{name}"

    def reset(self) -> None:
        with self.changed:
            self.calls.clear()
            self.refuse = None
            self.socket_url = ""

    def next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            if "json" in (self.headers.get("content-type") or ""):
                params = json.loads(raw or "{}")
            else:
                params = {k: v[0] for k, v in parse_qs(raw).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            if self.path.startswith("/response/"):
                fake.record(Call("response_url", params, headers, self.path))
                return self._send(200, b"ok", "text/plain")
            call = Call(self.path.removeprefix("/api/"), params, headers, self.path)
            fake.record(call)
            method = call.method
            if method == "apps.connections.open":  # Socket Mode: the app-level token
                if headers.get("authorization") != f"Bearer {APP_TOKEN}":
                    return self._json({"ok": False, "error": "invalid_auth"})
                return self._json({"ok": True, "url": fake.socket_url})
            if headers.get("authorization") != f"Bearer {BOT_TOKEN}":
                return self._json({"ok": False, "error": "invalid_auth"})
            if fake.refuse and (error := fake.refuse(call)):
                return self._json({"ok": False, "error": error})
            if method == "auth.test":
                return self._json({"ok": True, "url": "https://test.slack.com/", "team": "Test", "user": "rag",
                                   "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID,
                                   "is_enterprise_install": False})
            if method in ("chat.postMessage", "chat.postEphemeral"):
                ts = fake.next_ts()
                return self._json({"ok": True, "channel": params.get("channel"), "ts": ts,
                                   "message_ts": ts, "message": {"text": params.get("text"), "ts": ts}})
            return self._json({"ok": False, "error": "unknown_method"})

        def _json(self, data: dict) -> None:
            self._send(200, json.dumps(data).encode(), "application/json; charset=utf-8")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.root = f"http://127.0.0.1:{server.server_address[1]}"
    fake.url = f"{fake.root}/api/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# --- requests as Slack sends them ------------------------------------------------------------------

def signed_headers(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None,
                   content_type: str = "application/json") -> dict:
    """Slack's signature: v0=HMAC-SHA256(secret, 'v0:{timestamp}:{body}'), computed here, not by the SDK."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": str(timestamp), "x-slack-signature": f"v0={digest}",
            "content-type": content_type}


_event_ids = itertools.count(1)
_message_ts = itertools.count(1)


def message_ts() -> str:
    return f"1700000000.{next(_message_ts):06d}"


def event_body(event: dict, *, event_id: str | None = None) -> dict:
    return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0APP", "type": "event_callback",
            "event_id": event_id or f"Ev{next(_event_ids):08d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}], "event": event}


def mention(text: str, *, thread_ts: str | None = None, channel: str = CHANNEL, user: str = USER) -> dict:
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": message_ts(),
             "channel": channel, "team": TEAM}
    return event | ({"thread_ts": thread_ts} if thread_ts else {})


def direct_message(text: str, *, thread_ts: str | None = None, channel: str = "D0ALICE") -> dict:
    event = {"type": "message", "channel_type": "im", "user": USER, "text": text, "ts": message_ts(),
             "channel": channel, "team": TEAM}
    return event | ({"thread_ts": thread_ts} if thread_ts else {})


class SlackSender:
    """Sends what Slack sends to the app: events (JSON), commands and clicks (forms), all signed."""

    def __init__(self, client: httpx.Client, fake: FakeSlack) -> None:
        self.client = client
        self.fake = fake

    def post(self, body: str, headers: dict) -> httpx.Response:
        return self.client.post("/slack/events", content=body.encode(), headers=headers)

    def event(self, event: dict, *, event_id: str | None = None, headers: dict | None = None,
              **signing) -> httpx.Response:
        body = json.dumps(event_body(event, event_id=event_id))
        return self.post(body, signed_headers(body, **signing) | (headers or {}))

    def command(self, text: str, *, response: str = "command", command: str = "/ask", channel: str = CHANNEL,
                channel_name: str = "general", **signing) -> httpx.Response:
        form = {"token": "legacy", "team_id": TEAM, "team_domain": "test", "channel_id": channel,
                "channel_name": channel_name, "user_id": USER, "user_name": "alice", "command": command, "text": text,
                "api_app_id": "A0APP", "response_url": self.fake.response_url(response), "trigger_id": "1.2.3"}
        body = urlencode(form)
        return self.post(body, signed_headers(body, content_type="application/x-www-form-urlencoded", **signing))

    def click(self, action_id: str, value: str, *, response: str = "click", ephemeral: bool = False,
              user: str = USER) -> httpx.Response:
        container = {"type": "message", "message_ts": "1700000000.000001", "channel_id": CHANNEL,
                     "is_ephemeral": ephemeral}
        payload = {"type": "block_actions", "user": {"id": user, "username": "alice", "team_id": TEAM},
                   "api_app_id": "A0APP", "token": "legacy", "container": container, "trigger_id": "1.2.3",
                   "team": {"id": TEAM, "domain": "test"}, "channel": {"id": CHANNEL, "name": "general"},
                   "response_url": self.fake.response_url(response),
                   "actions": [{"action_id": action_id, "block_id": "rag_answer_actions", "value": value,
                                "type": "button", "action_ts": "1700000001.000001",
                                "text": {"type": "plain_text", "text": "x"}}]}
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, signed_headers(body, content_type="application/x-www-form-urlencoded"))
