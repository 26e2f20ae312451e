"""The FAISS half of the index: inner-product search over normalised chunk vectors, one index per
collection: exact (flat), or approximate (IVF) past a size (rag/approximate.py).

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

from .approximate import Approximate, build, contents, flat, is_approximate, plan

# One query is a single matrix product (flat) or a few lists scanned (IVF): OpenMP threads only add
# wake-up latency, and spin-wait against the model's threads on a two-core machine. The setting is
# per thread, and the service answers on worker threads that start with OpenMP's default (one per
# core): each search sets it in its own thread (bench/shards.py: 47.8 ms against 1.0 ms at 13.8k
# chunks).
SEARCH_THREADS = 1


class VectorStore(Protocol):
    def search(self, query: np.ndarray, limit: int,
               collections: Iterable[str] | None = None) -> list[tuple[int, float]]: ...


class FaissVectors:
    def __init__(self, dimension: int, approximate: Approximate = Approximate()) -> None:
        self.dimension = dimension
        self.approximate = approximate
        self._parts: dict[str, faiss.Index] = {}  # collection -> its chunks' vectors
        self._trained: dict[str, float] = {}  # collection -> its IVF's imbalance when trained
        self._lock = threading.Lock()  # the parts, against searches
        self._changing = threading.Lock()  # one change at a time, a retraining included
        self.rebuilt = False  # an index rebuilt since the vectors were last written (rag/vector_files.py)

    @classmethod
    def from_arrays(cls, dimension: int, ids: np.ndarray, collections: list[str],
                    vectors: np.ndarray, approximate: Approximate = Approximate()) -> "FaissVectors":
        store = cls(dimension, approximate)
        names = np.asarray(collections, dtype=object)
        for name in sorted(set(collections)):
            mask = names == name
            store.add(name, ids[mask].tolist(), vectors[mask])
        return store

    @property
    def size(self) -> int:
        return sum(int(part.ntotal) for part in self._parts.values())

    def add(self, collection: str, ids: list[int], vectors: np.ndarray) -> bool:
        """Adds a collection's rows; True when its index was rebuilt for them (rag/approximate.py)."""
        if not ids:
            return False
        with self._changing:
            with self._lock:
                part = self._parts.setdefault(collection, flat(self.dimension))
                part.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
            return self._reshape(collection)

    def remove(self, ids: list[int]) -> bool:
        """Removes rows from every collection; True when an index was rebuilt for it."""
        if not ids:
            return False
        selector = np.asarray(ids, dtype=np.int64)
        with self._changing:
            with self._lock:
                for name, part in list(self._parts.items()):
                    part.remove_ids(selector)
                    if part.ntotal == 0:
                        del self._parts[name]
                        self._trained.pop(name, None)
                names = list(self._parts)
            return any([self._reshape(name) for name in names])

    def _reshape(self, collection: str) -> bool:
        """Rebuilds a collection's index when the policy says so. Trained outside the search lock:
        questions are answered from the old index until the new one takes its place."""
        part = self._parts[collection]
        nlist = plan(part, self.approximate, self._trained.get(collection))
        if nlist is None:
            return False
        ids, vectors = contents(part)  # searches only read it meanwhile
        new, trained = build(ids, vectors, nlist, self.approximate.nprobe)
        with self._lock:
            self._parts[collection] = new
            if trained is None:
                self._trained.pop(collection, None)
            else:
                self._trained[collection] = trained
            self.rebuilt = True
        return True

    def search(self, query: np.ndarray, limit: int,
               collections: Iterable[str] | None = None) -> list[tuple[int, float]]:
        """The `limit` best rows of these collections (all of them when None), best first."""
        faiss.omp_set_num_threads(SEARCH_THREADS)
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

    def parts(self) -> dict[str, faiss.Index]:
        """Each collection's index, as of now (for writing them out)."""
        with self._lock:
            return dict(self._parts)

    def trained(self) -> dict[str, float]:
        """Each IVF index's imbalance when trained (written out with it: drift is measured from it)."""
        with self._lock:
            return dict(self._trained)

    @classmethod
    def of_parts(cls, dimension: int, parts: dict[str, faiss.Index], trained: dict[str, float],
                 approximate: Approximate = Approximate()) -> "FaissVectors | None":
        """The vectors of these read indexes; None when one is of another dimension. The policy
        applies from their next change: indexes read are not rebuilt on opening."""
        if any(part.d != dimension for part in parts.values()):
            return None
        store = cls(dimension, approximate)
        for part in parts.values():
            if is_approximate(part):
                part.nprobe = approximate.nprobe
        store._parts = dict(parts)
        store._trained = {name: value for name, value in trained.items() if name in parts}
        return store
