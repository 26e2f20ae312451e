"""The FAISS half of the index: exact inner-product search over normalised chunk vectors.

The file is named after the SQLite generation it mirrors (`vectors.<generation>.faiss`) and is
written to a temporary name, then renamed, so a reader never sees half a file. When no file
matches the current generation (a crash between the SQLite commit and the FAISS write), the
vectors are rebuilt from SQLite, which holds every chunk's embedding.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

_FILE = re.compile(r"^vectors\.(\d+)\.faiss$")
# One query against a flat index is a single matrix product: OpenMP threads only add wake-up
# latency, and spin-wait against the model's threads on a two-core machine.
faiss.omp_set_num_threads(1)
_TEMPORARY = re.compile(r"^\.vectors\.\d+\.\d+\.tmp$")


class VectorStore(Protocol):
    def search(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]: ...


class FaissVectors:
    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        self._lock = threading.Lock()

    @classmethod
    def from_arrays(cls, dimension: int, ids: np.ndarray, vectors: np.ndarray) -> "FaissVectors":
        store = cls(dimension)
        if len(ids):
            store._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        return store

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def copy(self) -> "FaissVectors":
        clone = FaissVectors(self.dimension)
        with self._lock:
            clone._index = faiss.clone_index(self._index)
        return clone

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        if ids:
            with self._lock:
                self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                         np.asarray(ids, dtype=np.int64))

    def remove(self, ids: list[int]) -> None:
        if ids:
            with self._lock:
                self._index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        if self.size == 0:
            return []
        with self._lock:
            scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), min(limit, self.size))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    # --- files --------------------------------------------------------------------------------

    def save(self, folder: Path, generation: int) -> None:
        target = folder / f"vectors.{generation}.faiss"
        temporary = folder / f".vectors.{generation}.{os.getpid()}.tmp"
        with self._lock:
            faiss.write_index(self._index, str(temporary))
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        _fsync_dir(folder)
        for old in folder.iterdir():
            match = _FILE.match(old.name)
            if match and int(match.group(1)) != generation:
                old.unlink(missing_ok=True)
            elif _TEMPORARY.match(old.name):  # left by a writer killed mid-save (one writer at a time)
                old.unlink(missing_ok=True)

    @classmethod
    def load(cls, folder: Path, generation: int, dimension: int) -> "FaissVectors | None":
        path = folder / f"vectors.{generation}.faiss"
        if not path.exists():
            return None
        store = cls(dimension)
        try:
            store._index = faiss.read_index(str(path))
        except RuntimeError:
            return None
        return store if store._index.d == dimension else None


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
