"""API keys with scopes, in `keys.sqlite` beside the index.

A key is shown once, when it is made, and only its SHA-256 is kept: a key is 32 random bytes, so
a fast hash is as safe as a slow one and keeps each request cheap. A presented key is hashed and
looked up by its hash, then compared with hmac.compare_digest: the time taken says nothing about
how much of a key was right. RAG_API_KEY, when set, is one more key, an admin one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import sqlite3
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from .access import COLLECTION_PATTERN, Access
from .errors import InvalidInput, NotFound, Unauthorized
from .sqlite import ThreadConnections

FILE_NAME = "keys.sqlite"
# The name RAG_API_KEY's holder goes by in the audit trail and as a conversation's owner.
ENV_KEY_NAME = "RAG_API_KEY"
_NAME = re.compile(COLLECTION_PATTERN)  # a key's name follows a collection's rule
PREFIX = "rag_"  # tells a key apart in a config file or a leaked log

_SCHEMA = """
CREATE TABLE IF NOT EXISTS keys (
    name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, read TEXT NOT NULL, write TEXT NOT NULL,
    admin INTEGER NOT NULL, created TEXT NOT NULL)
"""

MISSING = "missing API key; send the header 'Authorization: Bearer <key>' with a key made by 'rag keys add' " \
          "(or the one set in RAG_API_KEY)."
WRONG = "wrong API key; send 'Authorization: Bearer <key>' with a key made by 'rag keys add' (or the one set " \
        "in RAG_API_KEY); a revoked key no longer works."


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class KeyInfo:
    name: str
    read: tuple[str, ...]
    write: tuple[str, ...]
    admin: bool
    created: str

    def access(self) -> Access:
        if self.admin:
            return Access.everything(self.name)
        return Access(self.name, frozenset(self.read), frozenset(self.write))

    def to_dict(self) -> dict:
        return asdict(self)


class KeyStore:
    """The keys' table; a missing file is an empty store, created only when a key is added."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE_NAME
        self._connections: ThreadConnections | None = None
        self._opening = threading.Lock()

    def _db(self, *, create: bool = False) -> sqlite3.Connection | None:
        """A connection, or None while there is no file and none is to be created (no key yet)."""
        if self._connections is None:
            with self._opening:
                if self._connections is None:
                    if not create and not self.path.exists():
                        return None
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    connections = ThreadConnections(self.path, pragmas=("journal_mode=WAL", "synchronous=FULL"))
                    with connections.get() as db:
                        db.execute(_SCHEMA)
                    self._connections = connections
        return self._connections.get()

    def add(self, name: str, *, read: frozenset[str], write: frozenset[str], admin: bool = False) -> str:
        """Stores a new key's hash and scopes; returns the key itself, which is not kept."""
        if not _NAME.match(name):
            raise InvalidInput(f"{name!r} is not a key name: use 1 to 64 letters, digits, '_', '.' or '-', "
                               "starting with a letter or digit (e.g. 'migration-office').")
        if name == ENV_KEY_NAME:
            raise InvalidInput(f"'{ENV_KEY_NAME}' names the key set in that variable; choose another name.")
        if not (read or write or admin):
            raise InvalidInput("a key needs --read, --write or --admin; e.g. --read trafficking,default.")
        key = PREFIX + secrets.token_urlsafe(32)
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            with self._db(create=True) as db:
                db.execute("INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?)", (name, digest(key), json.dumps(sorted(read)),
                                                                       json.dumps(sorted(write)), int(admin), created))
        except sqlite3.IntegrityError:
            raise InvalidInput(f"a key named '{name}' exists; revoke it first ('rag keys revoke {name}') or "
                               "choose another name.") from None
        return key

    def keys(self) -> list[KeyInfo]:
        db = self._db()
        rows = db.execute("SELECT name, read, write, admin, created FROM keys ORDER BY name") if db else []
        return [_info(row) for row in rows]

    def revoke(self, name: str) -> KeyInfo:
        db = self._db()
        row = db.execute("SELECT name, read, write, admin, created FROM keys WHERE name = ?",
                         (name,)).fetchone() if db else None
        if row is None:
            raise NotFound(f"no key named '{name}'; list them with 'rag keys list'.")
        with db:
            db.execute("DELETE FROM keys WHERE name = ?", (name,))
        return _info(row)

    def any(self) -> bool:
        db = self._db()
        return bool(db and db.execute("SELECT EXISTS (SELECT 1 FROM keys)").fetchone()[0])

    def find(self, presented: str) -> KeyInfo | None:
        db = self._db()
        if db is None:
            return None
        wanted = digest(presented)
        row = db.execute("SELECT name, read, write, admin, created, hash FROM keys WHERE hash = ?",
                         (wanted,)).fetchone()
        return _info(row[:5]) if row and hmac.compare_digest(row[5], wanted) else None

    def close(self) -> None:
        if self._connections is not None:
            self._connections.close()


def _info(row: tuple) -> KeyInfo:
    name, read, write, admin, created = row
    return KeyInfo(name, tuple(json.loads(read)), tuple(json.loads(write)), bool(admin), created)


def authenticate(presented: str | None, *, keys: KeyStore, api_key: str | None) -> Access:
    """The access of the key presented (a bearer token), or Unauthorized."""
    if not presented:
        raise Unauthorized(MISSING)
    if api_key and hmac.compare_digest(digest(presented), digest(api_key)):
        return Access.everything(ENV_KEY_NAME)
    info = keys.find(presented)
    if info is None:
        raise Unauthorized(WRONG)
    return info.access()
