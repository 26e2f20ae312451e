"""A bounded map of the most recently used values, shared by request threads.

For what is costly to make and asked for again and again by texts: a sentence's vector, a
sentence's translation. Unlike functools.lru_cache it is looked up and filled many keys at a time,
so that the missing ones can be made in one batch (one model call, one Apertium exchange).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a Recent map holds one value at least")
        self.size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def values(self, keys: Sequence[K], make: Callable[[list[K]], Iterable[V]]) -> list[V]:
        """The value of each key, in order: those held, and the others made by one call of `make`
        (each missing key once, however often asked) and held from then on."""
        found = self.found(keys)
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        if missing:
            made = dict(zip(missing, make(missing)))
            self.keep(made)
            found.update(made)
        return [found[key] for key in keys]

    def found(self, keys: Iterable[K]) -> dict[K, V]:
        """The values held for these keys (the others are absent), each now the most recent."""
        out: dict[K, V] = {}
        with self._lock:
            for key in keys:
                if key in self._values:
                    self._values.move_to_end(key)
                    out[key] = self._values[key]
        return out

    def keep(self, values: dict[K, V]) -> None:
        """Holds these values, forgetting the least recently used beyond the size."""
        with self._lock:
            for key, value in values.items():
                self._values[key] = value
                self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
