"""Answers given in chat (Slack) and what people said of them, in SQLite beside the index.

Each answer gets a question id, carried by the buttons under it. The answer is kept
KEEP_ANSWERS_DAYS, long enough for its feedback and its "post to channel" button; a feedback row
copies the question's text and is kept until removed, since reviewing it is its purpose.
A separate file from the index and the conversations: nothing here contends with an ingest.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import NotFound, RagError
from .schema import Answer
from .sqlite import ThreadConnections

FILE_NAME = "feedback.sqlite"
KEEP_ANSWERS_DAYS = 30
VERDICTS = ("helpful", "not_helpful")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    question_id TEXT PRIMARY KEY, created REAL NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
    found INTEGER NOT NULL, conversation_id TEXT, team TEXT, channel TEXT, user TEXT);
CREATE INDEX IF NOT EXISTS answers_created ON answers(created);
CREATE TABLE IF NOT EXISTS feedback (
    question_id TEXT NOT NULL, user TEXT NOT NULL, created REAL NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('helpful', 'not_helpful')),
    question TEXT NOT NULL, channel TEXT, PRIMARY KEY (question_id, user));
CREATE INDEX IF NOT EXISTS feedback_created ON feedback(created)
"""


@dataclass(frozen=True)
class Given:
    """An answer as it was given: what `post to channel` shows again."""

    question_id: str
    question: str
    answer: dict  # Answer.to_dict()
    channel: str | None
    user: str | None


@dataclass(frozen=True)
class Feedback:
    time: str  # ISO 8601, UTC
    question_id: str
    question: str
    verdict: str
    user: str
    channel: str | None

    def to_dict(self) -> dict:
        return asdict(self)


class FeedbackStore:
    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._connections = ThreadConnections(self.path, pragmas=("journal_mode=WAL", "synchronous=NORMAL"))
        try:
            with self._db as db:
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    db.execute(statement)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise RagError(f"cannot open the feedback file {self.path} ({exc}); move it aside and try again.") from None

    @classmethod
    def beside(cls, index_dir: Path) -> FeedbackStore:
        return cls(Path(index_dir) / FILE_NAME)

    @property
    def _db(self) -> sqlite3.Connection:
        return self._connections.get()

    def record_answer(self, answer: Answer, *, team: str | None = None, channel: str | None = None,
                      user: str | None = None) -> str:
        """Keeps an answer as given; returns its new question id."""
        now = self._clock()
        question_id = uuid.uuid4().hex
        with self._db as db:
            db.execute("DELETE FROM answers WHERE created < ?", (now - KEEP_ANSWERS_DAYS * 86400,))
            db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (question_id, now, answer.question, json.dumps(answer.to_dict(), ensure_ascii=False),
                        int(answer.found), answer.conversation_id, team, channel, user))
        return question_id

    def answer(self, question_id: str) -> Given:
        row = self._db.execute("SELECT question, answer, channel, user FROM answers WHERE question_id = ?",
                               (question_id,)).fetchone()
        if row is None:
            raise NotFound(f"answer '{question_id}' is unknown or older than {KEEP_ANSWERS_DAYS} days; "
                           "ask the question again.")
        return Given(question_id, row[0], json.loads(row[1]), row[2], row[3])

    def record(self, question_id: str, verdict: str, *, user: str, channel: str | None = None) -> Feedback:
        """One verdict per person and answer: a second click replaces the first."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
        question = self.answer(question_id).question
        now = self._clock()
        with self._db as db:
            db.execute("INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?, ?)",
                       (question_id, user, now, verdict, question, channel))
        return Feedback(_iso(now), question_id, question, verdict, user, channel)

    def feedback(self) -> list[Feedback]:
        """Every verdict, oldest first."""
        rows = self._db.execute(
            "SELECT created, question_id, question, verdict, user, channel FROM feedback ORDER BY created, rowid")
        return [Feedback(_iso(created), *rest) for created, *rest in rows]

    def close(self) -> None:
        self._connections.close()


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
