"""The conversation store: turns kept in order, expiry after idle hours, survival across reopening."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from rag.conversations import ConversationStore, Turn
from rag.errors import NotFound


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock():
    return Clock()


def test_turns_are_kept_in_order(tmp_path, clock):
    store = ConversationStore(tmp_path / "c.sqlite", ttl_hours=24, clock=clock)
    cid = store.start()
    assert store.turns(cid) == []
    store.add(cid, Turn("Who is Gaby Coca?", "Gaby Coca", "Gaby Coca, representative… [1]", True))
    store.add(cid, Turn("What did she announce?", "Gaby Coca", "…trained… [1]", True))
    assert [t.question for t in store.turns(cid)] == ["Who is Gaby Coca?", "What did she announce?"]


def test_conversations_survive_reopening(tmp_path, clock):
    store = ConversationStore(tmp_path / "c.sqlite", ttl_hours=24, clock=clock)
    cid = store.start()
    store.add(cid, Turn("What is REDTRAM?", "REDTRAM", "…", True))
    store.close()
    again = ConversationStore(tmp_path / "c.sqlite", ttl_hours=24, clock=clock)
    assert again.turns(cid)[0].subject == "REDTRAM"


def test_idle_conversations_expire_and_activity_extends_them(tmp_path, clock):
    store = ConversationStore(tmp_path / "c.sqlite", ttl_hours=2, clock=clock)
    cid = store.start()
    clock.now += 1.5 * 3600
    store.add(cid, Turn("q", "", "a", False))  # activity: the two hours count from here
    clock.now += 1.5 * 3600
    assert len(store.turns(cid)) == 1
    clock.now += 0.6 * 3600
    with pytest.raises(NotFound, match="unknown or has expired .*2 hours"):
        store.turns(cid)


def test_unknown_conversation_says_what_to_do(tmp_path, clock):
    store = ConversationStore(tmp_path / "c.sqlite", ttl_hours=24, clock=clock)
    with pytest.raises(NotFound, match="ask without a conversation id"):
        store.turns("nope")


def test_expired_conversations_are_purged(tmp_path, clock):
    store = ConversationStore(tmp_path / "c.sqlite", ttl_hours=1, clock=clock)
    old = store.start()
    store.add(old, Turn("q", "", "a", False))
    clock.now += 7200
    store.start()
    rows = store._db.execute("SELECT COUNT(*) FROM turns").fetchone()[0]
    assert rows == 0 and store._db.execute("SELECT COUNT(*) FROM conversations").fetchone()[0] == 1


def test_a_key_resumes_its_conversation_until_it_expires(tmp_path, clock):
    store = ConversationStore(tmp_path / "c.sqlite", ttl_hours=1, clock=clock)
    first = store.resume("slack:T1:C1:1700000000.000100")
    store.add(first, Turn("Who is Gaby Coca?", "Gaby Coca", "…", True))
    clock.now += 1800
    assert store.resume("slack:T1:C1:1700000000.000100") == first
    assert store.resume("slack:T1:C1:1700000000.000200") != first  # another thread, another conversation
    clock.now += 7200
    renewed = store.resume("slack:T1:C1:1700000000.000100")
    assert renewed != first and store.turns(renewed) == []
    assert store.resume("slack:T1:C1:1700000000.000100") == renewed
    # The expired conversation and its key are purged with it.
    store.start()
    keys = store._db.execute("SELECT COUNT(*) FROM conversation_keys WHERE conversation_id = ?", (first,))
    assert keys.fetchone()[0] == 0


def test_a_key_gives_one_conversation_to_concurrent_callers(tmp_path, clock):
    from concurrent.futures import ThreadPoolExecutor

    store = ConversationStore(tmp_path / "c.sqlite", ttl_hours=1, clock=clock)
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: store.resume("thread"), range(32)))
    store.close()
    assert len(ids) == 1


def _open_store(path: str) -> None:
    ConversationStore(Path(path), ttl_hours=24).close()


def test_processes_opening_an_older_file_at_once_upgrade_it_once(tmp_path):
    """Conversations written before keys had owners lack the column; a CLI opening the index while
    the service does must not fail on the second ALTER TABLE."""
    for attempt in range(5):
        path = tmp_path / f"old{attempt}.sqlite"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE conversations (id TEXT PRIMARY KEY, created REAL NOT NULL, updated REAL NOT NULL)")
            db.execute("INSERT INTO conversations VALUES ('c1', 1.0, 1.0)")
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(4, mp_context=context) as pool:
            for future in [pool.submit(_open_store, str(path)) for _ in range(4)]:
                future.result()
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT id, owner FROM conversations").fetchall() == [("c1", "")]
