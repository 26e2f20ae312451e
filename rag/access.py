"""Collections, and what one caller may do with them.

Every document belongs to one collection. A caller (an API key, a Slack channel, the CLI) holds
an Access: the collections it may read (ask, list, read text, open citations), those it may
write (upload, remove), and whether it administers everything. A document in a collection the
caller may not read is, to that caller, a document that does not exist: the same 404, the same
message, so that its existence does not leak.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .errors import InvalidInput, NotFound
from .schema import DEFAULT_COLLECTION

__all__ = ["DEFAULT_COLLECTION", "Access", "check_collection", "collection_list", "unknown_collection"]

# Letters, digits, '_', '.', '-': safe in a URL's query, a file name, a comma-separated list.
COLLECTION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_NAME = re.compile(COLLECTION_PATTERN)


def check_collection(name: str) -> str:
    """The name, or InvalidInput saying what a collection's name may hold."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidInput(f"{name!r} is not a collection name: use 1 to 64 letters, digits, '_', '.' or '-', "
                           "starting with a letter or digit (e.g. 'trafficking-unit').")
    return name


def collection_list(text: str) -> frozenset[str]:
    """'A,B' -> {'A', 'B'}; an empty text is no collection."""
    return frozenset(check_collection(part.strip()) for part in text.split(",") if part.strip())


def unknown_collection(name: str) -> NotFound:
    """Said alike of a collection that does not exist and of one the caller may not read."""
    return NotFound(f"no collection '{name}' (among those with documents that this key may read); list them "
                    "with GET /collections or 'rag collections'.")


@dataclass(frozen=True)
class Access:
    """What one caller may do. `None` for read or write means every collection."""

    name: str | None  # the key's name, as the audit trail shows it; None where no key is asked for
    read: frozenset[str] | None
    write: frozenset[str] | None
    admin: bool = False

    @classmethod
    def everything(cls, name: str | None) -> "Access":
        return cls(name, None, None, True)

    def can_read(self, collection: str) -> bool:
        return self.read is None or collection in self.read

    def can_write(self, collection: str) -> bool:
        return self.write is None or collection in self.write

    def searched(self, requested: Iterable[str] | None, existing: Callable[[], set[str]]) -> frozenset[str] | None:
        """The collections a question searches or a listing shows: all the readable ones, or those
        requested, each of which must hold documents and be readable (else the one NotFound, for
        a name misspelt and a collection kept from the caller alike)."""
        if requested is None:
            return self.read
        names = frozenset(check_collection(name) for name in requested)
        there = existing()
        for name in sorted(names):
            if not (self.can_read(name) and name in there):
                raise unknown_collection(name)
        return names
