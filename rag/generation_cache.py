"""Answers that depend only on the index's contents, kept until its generation changes.

A question asked which languages the documents are in several times (analyser, retriever, IDF),
and counted the chunks: at 132k chunks `SELECT DISTINCT language`
alone took 25-37 ms. These change only when a writer commits, and every commit bumps the
generation, whichever process made it; reading the generation is one lookup by primary key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

# Bounds the memory of the answers kept (one per set of collections read); when full, the cache
# starts again from empty.
MAX_ENTRIES = 100_000


class GenerationCache:
    def __init__(self, generation: Callable[[], int]) -> None:
        self._generation = generation
        self._at = -1
        self._values: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def _current(self) -> int:
        """The generation now, the values of an older one dropped."""
        generation = self._generation()
        with self._lock:
            if generation != self._at:
                self._values.clear()
                self._at = generation
        return generation

    def _keep(self, generation: int, values: dict[Hashable, Any]) -> None:
        # Computed while a writer may have committed: kept only under the generation read before,
        # which the next read finds changed, so a newer answer is never kept as an older one's.
        with self._lock:
            if self._at == generation:
                if len(self._values) + len(values) > MAX_ENTRIES:
                    self._values.clear()
                self._values.update(values)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value of `key` (an immutable one: it is shared between threads)."""
        generation = self._current()
        with self._lock:
            if key in self._values:
                return self._values[key]
        value = compute()
        self._keep(generation, {key: value})
        return value
