"""The FAISS half of the index: exact inner-product search over normalised chunk vectors, one
flat index per collection.

A question limited to some collections searches their indexes only and merges the results: the
filter applies before the ranking, so a full top-k comes from the allowed collections, and the
search costs what those collections hold, not the whole index. Measured against one index with
an IDSelector (bench/faiss_filter.py, 100,000 chunks, half allowed): 3.5 ms here, 13.7 ms with an
IDSelectorBitmap kept between questions, 18.1 ms with an IDSelectorBatch built per question, 7.3 ms
for the whole index unfiltered; a selector checks every vector of the index, allowed or not.

The files that hold them are rag/vector_files.py's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol

import faiss
import numpy as np

# One query against a flat index is a single matrix product: OpenMP threads only add wake-up
# latency, and spin-wait against the model's threads on a two-core machine.
faiss.omp_set_num_threads(1)


class VectorStore(Protocol):
    def search(self, query: np.ndarray, limit: int,
               collections: Iterable[str] | None = None) -> list[tuple[int, float]]: ...


def _flat(dimension: int) -> faiss.IndexIDMap2:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))


class FaissVectors:
    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self._parts: dict[str, faiss.IndexIDMap2] = {}  # collection -> its chunks' vectors
        self._lock = threading.Lock()

    @classmethod
    def from_arrays(cls, dimension: int, ids: np.ndarray, collections: list[str],
                    vectors: np.ndarray) -> "FaissVectors":
        store = cls(dimension)
        names = np.asarray(collections, dtype=object)
        for name in sorted(set(collections)):
            mask = names == name
            store.add(name, ids[mask].tolist(), vectors[mask])
        return store

    @property
    def size(self) -> int:
        return sum(int(part.ntotal) for part in self._parts.values())

    def add(self, collection: str, ids: list[int], vectors: np.ndarray) -> None:
        if ids:
            with self._lock:
                part = self._parts.setdefault(collection, _flat(self.dimension))
                part.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: list[int]) -> None:
        if ids:
            selector = np.asarray(ids, dtype=np.int64)
            with self._lock:
                for name, part in list(self._parts.items()):
                    part.remove_ids(selector)
                    if part.ntotal == 0:
                        del self._parts[name]

    def search(self, query: np.ndarray, limit: int,
               collections: Iterable[str] | None = None) -> list[tuple[int, float]]:
        """The `limit` best rows of these collections (all of them when None), best first."""
        query = query.reshape(1, -1).astype(np.float32)
        found: list[tuple[int, float]] = []
        with self._lock:
            parts = [part for name, part in self._parts.items() if collections is None or name in collections]
            for part in parts:
                if part.ntotal:
                    scores, ids = part.search(query, min(limit, int(part.ntotal)))
                    found += [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
        # Merged by score, then by row: the same order whatever the split into collections.
        return sorted(found, key=lambda hit: (-hit[1], hit[0]))[:limit]

    def parts(self) -> dict[str, faiss.IndexIDMap2]:
        """Each collection's index, as of now (for writing them out)."""
        with self._lock:
            return dict(self._parts)

    @classmethod
    def of_parts(cls, dimension: int, parts: dict[str, faiss.IndexIDMap2]) -> "FaissVectors | None":
        """The vectors of these read indexes; None when one is of another dimension."""
        if any(part.d != dimension for part in parts.values()):
            return None
        store = cls(dimension)
        store._parts = parts
        return store
