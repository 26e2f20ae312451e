"""An index's vectors in memory: those of its newest committed generation, kept up to date for its
readers, and brought forward by its one writer's commits (the files are rag/vector_files.py's)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from . import vector_files
from .approximate import Approximate
from .embedding import Embedder, embed_grouped
from .errors import ModelMismatch
from .schema import Chunk, Document
from .store import Store
from .vector_files import Added
from .vectors import FaissVectors

# A document to commit, its chunks, and their vectors when they came embedded (None: embedded here).
Planned = tuple[Document, list[Chunk], np.ndarray | None]


class IndexVectors:
    def __init__(self, folder: Path, store: Store, embedder: Embedder, approximate: Approximate,
                 check_model: Callable[[], None]) -> None:
        self.folder = folder
        self.store = store
        self.embedder = embedder
        self.approximate = approximate
        self.check_model = check_model
        self._swap = threading.Lock()
        self._vectors: FaissVectors | None = None
        self._writing = False
        self._generation = -1

    def _load(self, generation: int) -> FaissVectors:
        # The stored dimension spares loading the model just to list or remove documents. An index
        # emptied of documents may be refilled by another model (see check_model): use its dimension.
        stored = self.store.meta("dimension")
        dimension = int(stored) if stored and self.store.count()[1] else self.embedder.dimension
        vectors = vector_files.load(self.folder, generation, dimension, self.approximate)
        if vectors is None:
            vectors = FaissVectors.from_arrays(dimension, *self.store.all_vectors(dimension), self.approximate)
        return vectors

    def current(self) -> FaissVectors:
        """The vectors of the newest committed generation, brought up to date if another process wrote:
        by its deltas when they are all there, else by reading the files (or SQLite) again."""
        # While this process writes, its readers share the writer's vectors, which take each group
        # once it is committed: rows committed but not yet added are simply not found meanwhile.
        if self._vectors is not None and self._writing:
            return self._vectors
        if self._vectors is None or self.store.generation() != self._generation:
            with self._swap:
                generation = self.store.generation()
                if self._vectors is None or generation != self._generation:
                    self.check_model()
                    if not (self._vectors is not None and generation > self._generation
                            and vector_files.catch_up(self.folder, self._vectors, self._generation, generation)):
                        self._vectors = self._load(generation)
                    self._generation = generation
        return self._vectors

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around a writer's commits, under the write lock."""
        vectors = self.current()  # loaded before writing starts, so readers have them to use
        # Each commit writes a delta on top of the files: they must reach this generation first. An
        # index retrained while reading them is written too, so that the next process reads it.
        if vectors.rebuilt or vector_files.needs_base(self.folder, self._generation):
            vector_files.write_base(self.folder, self._generation, vectors)
        self._writing = True
        try:
            yield
        finally:
            self._writing = False

    def embed(self, group: list[Planned], dimension: int) -> np.ndarray:
        """One row per chunk of a group, in its order: those that came embedded, the others embedded here."""
        fresh = iter(embed_grouped(self.embedder, [[c.text for c in chunks] for _, chunks, vectors in group
                                                   if vectors is None], dimension))
        embedded = np.concatenate([next(fresh) if vectors is None else vectors
                                   for _, _, vectors in group]).astype(np.float32, copy=False)
        if embedded.shape[1] != dimension:  # checked before writing: mixed sizes would break the index
            raise ModelMismatch(
                f"the index in {self.folder} holds vectors of size {dimension}, but the embedding "
                f"model '{self.embedder.name}' makes vectors of size {embedded.shape[1]}; point "
                "RAG_INDEX_DIR at a new folder and run 'rag ingest' to rebuild."
            )
        return embedded

    def apply(self, generation: int, removed: list[int], added: Added) -> None:
        """Brings the vectors to a generation just committed (its delta already on disk). Writes a
        new base when the deltas have grown to outweigh the last, or when an index was retrained:
        a process opening it then reads the new index instead of training its own."""
        try:
            vectors = self._vectors
            if vectors is None or self._generation != generation - 1:
                # Dropped by a failure, or behind: read at this generation, its delta included.
                self._vectors = None
                vectors = self.current()
            else:
                vectors.remove(removed)
                for collection, rows, part in added:
                    vectors.add(collection, rows, part)
                with self._swap:
                    self._generation = generation
            if vectors.rebuilt or vector_files.needs_base(self.folder, generation):
                vector_files.write_base(self.folder, generation, vectors)
        except BaseException:
            self._vectors = None  # half applied: read again from the files, which hold this generation
            raise
