"""Conversations: the turns of a dialogue, kept in SQLite beside the index, expiring when idle.

A separate file from the index, so that answering (which records a turn) never contends with
an ingest's write lock or bumps the index generation.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import NotFound
from .sqlite import ThreadConnections

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, created REAL NOT NULL, updated REAL NOT NULL,
                                          owner TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS conversations_updated ON conversations(updated);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    n INTEGER NOT NULL, question TEXT NOT NULL, subject TEXT NOT NULL, answer TEXT NOT NULL,
    found INTEGER NOT NULL, created REAL NOT NULL, PRIMARY KEY (conversation_id, n));
CREATE TABLE IF NOT EXISTS conversation_keys (
    key TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS conversation_keys_conversation ON conversation_keys(conversation_id)
"""


@dataclass(frozen=True)
class Turn:
    question: str
    subject: str  # what the turn was about, carried to follow-ups that refer to it
    answer: str
    found: bool


class ConversationStore:
    def __init__(self, path: Path, *, ttl_hours: float, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.ttl_seconds = ttl_hours * 3600
        self._clock = clock
        # A lost last turn after a power cut is acceptable; an fsync per question is not.
        self._connections = ThreadConnections(
            self.path, pragmas=("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"))
        with self._db as db:
            # Two processes opening an older file at once (a CLI beside the service) would both see
            # the column missing and the second ALTER would fail: the write lock is taken first.
            db.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)
            # Conversations from before keys had owners belong to no key ('').
            if "owner" not in {row[1] for row in db.execute("PRAGMA table_info(conversations)")}:
                db.execute("ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT ''")

    @property
    def _db(self) -> sqlite3.Connection:
        return self._connections.get()

    def start(self, owner: str = "") -> str:
        """A new conversation, belonging to `owner` (the name of the key that asked): only it may continue it."""
        now = self._clock()
        conversation_id = uuid.uuid4().hex
        with self._db as db:
            db.execute("DELETE FROM conversations WHERE updated < ?", (now - self.ttl_seconds,))
            db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?)", (conversation_id, now, now, owner))
        return conversation_id

    def resume(self, key: str, owner: str = "") -> str:
        """The conversation filed under a caller's own key (a Slack thread, say).

        While that conversation lives, the same key gives the same id; when there is none, or
        it has expired, a new one starts and is filed under the key.
        """
        now = self._clock()
        db = self._db
        with db:
            db.execute("BEGIN IMMEDIATE")  # two first messages of one thread must not start two conversations
            row = db.execute(
                "SELECT c.id, c.updated FROM conversation_keys k JOIN conversations c ON c.id = k.conversation_id "
                "WHERE k.key = ?", (key,)).fetchone()
            if row is not None and row[1] >= now - self.ttl_seconds:
                return row[0]
            conversation_id = uuid.uuid4().hex
            db.execute("DELETE FROM conversations WHERE updated < ?", (now - self.ttl_seconds,))
            db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?)", (conversation_id, now, now, owner))
            db.execute("INSERT OR REPLACE INTO conversation_keys VALUES (?, ?)", (key, conversation_id))
        return conversation_id

    def turns(self, conversation_id: str, owner: str = "") -> list[Turn]:
        """The turns so far; NotFound when the conversation is unknown, has expired, or belongs to
        another owner (told alike: another key's conversation is not even known to exist)."""
        row = self._db.execute("SELECT updated, owner FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        if row is None or row[0] < self._clock() - self.ttl_seconds or row[1] != owner:
            hours = f"{self.ttl_seconds / 3600:g}"
            raise NotFound(
                f"conversation '{conversation_id}' is unknown or has expired (conversations last {hours} hours "
                "after their last question); ask without a conversation id to start a new one."
            )
        rows = self._db.execute(
            "SELECT question, subject, answer, found FROM turns WHERE conversation_id = ? ORDER BY n",
            (conversation_id,),
        )
        return [Turn(q, s, a, bool(f)) for q, s, a, f in rows]

    def add(self, conversation_id: str, turn: Turn) -> None:
        now = self._clock()
        with self._db as db:
            # The turn's number is taken in the insert itself: counted first, two answers of one
            # conversation at once (a double-clicked question) took the same number and one failed.
            db.execute("INSERT INTO turns SELECT ?, COALESCE(MAX(n) + 1, 0), ?, ?, ?, ?, ? FROM turns "
                       "WHERE conversation_id = ?",
                       (conversation_id, turn.question, turn.subject, turn.answer, int(turn.found), now,
                        conversation_id))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))

    def close(self) -> None:
        self._connections.close()
