"""The index on disk: SQLite (truth) plus FAISS and Tantivy (derived), written atomically by one writer."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from .analysis import LanguageDetector
from .approximate import Approximate
from .chunking import Chunker
from .embedding import Embedder, is_embedder
from .errors import IndexBusy, InvalidInput, ModelMismatch, NotFound
from .index_vectors import IndexVectors, Planned
from .lexical import OLD_FOLDER as OLD_LEXICAL_FOLDER
from .lexical import LexicalIndex, LexicalRow
from .locking import WriteLock
from .mail import MAIL_KINDS
from .parsing import Parsed
from .schema import DEFAULT_COLLECTION, Chunk, Document, DocumentInfo, IngestReport, content_hash, doc_id_of
from .store import Collections, Store
from . import vector_files
from .vector_files import Added
from .vectors import FaissVectors

T = TypeVar("T")

# Documents are embedded and committed in groups of about this many chunks: large enough to
# keep the model busy and to spread each commit's fixed cost (a SQLite transaction, a delta file,
# a Tantivy commit: 512 instead of 256 took a 140k-chunk ingest from 51.6 to 43.5 s, hash
# embedder), small enough that a crash loses little work and progress moves often (a group is
# about a minute of multilingual-e5-small on two cores).
GROUP_CHUNKS = 512

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Embedded:
    """A file parsed, chunked and embedded elsewhere (on a cluster's worker: rag/cluster.py), for
    the index only to write; `vectors` has one row per chunk, made by the model named `model`."""

    document: Document
    chunks: list[Chunk]
    vectors: np.ndarray
    model: str
    attachments: tuple[str, ...] | None = None  # as Parsed.attachments: a mail's attachments read

    @property
    def source(self) -> str:
        return self.document.source


def split(file: Parsed, collection: str, detector: LanguageDetector, chunker: Chunker) -> tuple[Document, list[Chunk]]:
    """A parsed file as the document it makes in a collection, and its chunks."""
    document = Document(file.source, file.text, file.kind, language=detector.detect(file.text),
                        content_hash=content_hash(file.text), pages=file.pages, ocr_pages=file.ocr_pages,
                        collection=collection)
    return document, chunker.split(document)


class Index:
    def __init__(self, folder: Path, *, embedder: Embedder, chunker: Chunker,
                 detector: LanguageDetector, approximate: Approximate = Approximate()) -> None:
        if not is_embedder(embedder):
            raise TypeError("embedder must implement the Embedder protocol")
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise InvalidInput(f"RAG_INDEX_DIR={str(folder)!r} is a file, not a folder; point RAG_INDEX_DIR at "
                               "a folder (a new one is created) and run 'rag ingest'.")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self.chunker = chunker
        self.detector = detector
        self.store = Store(self.folder / "index.sqlite")
        self.check_model()
        self._vectors = IndexVectors(self.folder, self.store, embedder, approximate, self.check_model)
        self.lexical = LexicalIndex(self.folder, self.store.generation, self.store.languages)
        try:  # an index of an older version, or a writer killed between its two commits
            with WriteLock(self.folder):
                self._rebuild_lexical()
        except IndexBusy:
            pass  # the writer holding the lock brings it up to date before its first commit

    # --- model -------------------------------------------------------------------------------

    def check_model(self) -> None:
        built_with = self.store.meta("model")
        if built_with and built_with != self.embedder.name and self.store.count()[0] > 0:
            raise ModelMismatch(
                f"the index in {self.folder} was built with the embedding model '{built_with}', but "
                f"RAG_EMBEDDING_MODEL is '{self.embedder.name}'; set RAG_EMBEDDING_MODEL='{built_with}', "
                "or point RAG_INDEX_DIR at a new folder and run 'rag ingest' to rebuild."
            )

    # --- vectors -----------------------------------------------------------------------------

    @property
    def vectors(self) -> FaissVectors:
        """The vectors of the newest committed generation (rag/index_vectors.py)."""
        return self._vectors.current()

    def _rebuild_lexical(self) -> None:
        """Under the write lock: the lexical index rebuilt from SQLite when it is not at its generation."""
        if self.lexical.is_stale():
            db = self.store.db
            self.lexical.rebuild(lambda: Store.lexical_rows(db), self.store.count()[1], self.store.generation())
            # An index of the version before keeps its terms, unmarked by language, in the old folder.
            shutil.rmtree(self.folder / OLD_LEXICAL_FOLDER, ignore_errors=True)

    # --- reads -------------------------------------------------------------------------------

    # `collections` limits a read to what a caller may read (None: everything). A document outside
    # them is NotFound with the very message of one that does not exist: its existence must not leak.

    def documents(self, collections: Collections = None) -> list[DocumentInfo]:
        return self.store.documents(collections)

    def document(self, doc_id: str, collections: Collections = None) -> DocumentInfo:
        info = self.store.document(doc_id)
        if info is None or (collections is not None and info.collection not in collections):
            raise _missing(doc_id)
        return info

    def text(self, doc_id: str, collections: Collections = None) -> str:
        return self._read(self.store.text, doc_id, collections)

    def pages(self, doc_id: str, collections: Collections = None) -> tuple[tuple[int, int], ...]:
        """Each page's (start, end) in the document's text, page 1 first; empty for formats without pages."""
        return self._read(self.store.pages, doc_id, collections)

    def _read(self, read: Callable[[str], T | None], doc_id: str, collections: Collections) -> T:
        if collections is not None:
            self.document(doc_id, collections)
        value = read(doc_id)
        if value is None:
            raise _missing(doc_id)
        return value

    # --- writes ------------------------------------------------------------------------------

    @contextmanager
    def _writer(self) -> Iterator[None]:
        with WriteLock(self.folder):
            self._rebuild_lexical()
            with self._vectors.writing(), self.lexical.writing():
                yield

    def ingest(self, files: Iterable[Parsed | Embedded], *, collection: str = DEFAULT_COLLECTION,
               progress: Progress | None = None) -> IngestReport:
        """Writes parsed files into a collection (parsing happens before, outside the write lock:
        see Engine). A file replaces the document of its source in that collection only. An
        Embedded file brings its chunks and vectors (rag/cluster.py): only the others are embedded here."""
        report = IngestReport()
        with self._writer():
            self.check_model()
            known = self.store.document_hashes(collection)
            group: list[Planned] = []
            # Progress counts a file when it is done: at once when skipped or unchanged, after its
            # group's commit otherwise, so the bar does not run ahead of the embedding work.
            advance = progress or (lambda n: None)
            for file in files:
                before = len(group)
                self._plan(file, collection, known, group, report)
                if len(group) == before:
                    advance(1)
                if sum(len(c) for _, c, _ in group) >= GROUP_CHUNKS:
                    self._commit(group, known, report)
                    advance(len(group))
                    group = []
            self._commit(group, known, report)
            advance(len(group))
        return report

    def _plan(self, file: Parsed | Embedded, collection: str, known: dict, group: list[Planned],
              report: IngestReport) -> None:
        if isinstance(file, Embedded):
            if file.model != self.embedder.name or file.document.collection != collection:
                raise ModelMismatch(f"{file.source} was embedded with the model '{file.model}' for the collection "
                                    f"'{file.document.collection}', but this ingest writes '{collection}' with "
                                    f"'{self.embedder.name}'; run the workers with the client's settings.")
            digest, planned = file.document.content_hash, (file.document, file.chunks, file.vectors)
        else:
            digest, planned = content_hash(file.text), None
        if known.get(file.source, (None, None))[1] == digest:  # before detecting its language: no work
            report.unchanged.append(file.source)
            return
        group.append(planned or (*split(file, collection, self.detector, self.chunker), None))

    def _commit(self, group: list[Planned], known: dict, report: IngestReport) -> None:
        if not group:
            return
        dimension = self.vectors.dimension
        embedded = self._vectors.embed(group, dimension)
        removed: list[int] = []
        added: Added = []
        lexical: list[LexicalRow] = []
        with self.store.write() as db:
            Store.set_meta(db, "model", self.embedder.name)
            Store.set_meta(db, "dimension", str(dimension))
            offset = 0
            for document, chunks, _ in group:
                previous = known.get(document.source)
                if previous:
                    removed += Store.delete_document(db, previous[0])
                part = embedded[offset:offset + len(chunks)]
                offset += len(chunks)
                rows = Store.insert_document(db, document, chunks, part)
                added.append((document.collection, rows, part))
                lexical += [LexicalRow(row, chunk.text, document.language, document.collection)
                            for row, chunk in zip(rows, chunks)]
            # The report lists each document as `documents()` will, with the date it was stored.
            marks = ",".join("?" * len(group))
            added_at = dict(db.execute(f"SELECT doc_id, added_at FROM documents WHERE doc_id IN ({marks})",
                                       [document.doc_id for document, _, _ in group]))
            generation = Store.next_generation(db)
            vector_files.write_delta(self.folder, generation, removed, added, dimension)
            self.lexical.commit(generation, removed, lexical)
        for document, chunks, _ in group:
            info = DocumentInfo(document.doc_id, document.source, document.format, document.language,
                                len(document.text), len(chunks), document.content_hash, added_at[document.doc_id],
                                document.ocr_pages, document.collection)
            (report.replaced if document.source in known else report.added).append(info)
            known[document.source] = (document.doc_id, document.content_hash)
            report.chunks += len(chunks)
        self._vectors.apply(generation, removed, added)

    def remove(self, *, doc_id: str | None = None, source: str | None = None,
               collection: str = DEFAULT_COLLECTION) -> DocumentInfo:
        """Removes a document, by id or by its source in a collection."""
        with self._writer():
            info = self.store.document(doc_id) if doc_id else self.store.document_by_source(source or "", collection)
            if info is None:
                if doc_id:
                    raise _missing(doc_id)
                raise NotFound(f"no document with source '{source}' in collection '{collection}'; list them with "
                               "'rag docs' or GET /documents.")
            # A mail's attachments ('<mail>/<name>') go with it.
            doomed = [info.doc_id]
            if info.format in MAIL_KINDS:
                doomed += _under(self.store.document_hashes(info.collection), info.source, ())
            self._delete(doomed)
        return info

    def remove_collection(self, collection: str) -> list[DocumentInfo]:
        """Removes every document of a collection in one transaction; NotFound when it holds none."""
        with self._writer():
            doomed = self._held(collection)
            self._delete([info.doc_id for info in doomed])
        return doomed

    def move_collection(self, collection: str, target: str) -> list[DocumentInfo]:
        """Moves every document of a collection into another (new or not) in one transaction, and
        returns them as they are now. A source already in the target is refused: a source is unique
        within its collection, and neither document would be the one a citation meant."""
        if collection == target:
            raise InvalidInput(f"'{collection}' is already where it would move; name another collection.")
        with self._writer():
            moving = self._held(collection)
            clashes = sorted({d.source for d in moving} & set(self.store.document_hashes(target)))
            if clashes:
                shown = ", ".join(clashes[:3]) + (f" and {len(clashes) - 3} more" if len(clashes) > 3 else "")
                raise InvalidInput(f"'{target}' already holds {shown}; remove them from one of the two "
                                   "collections first, or move into another name.")
            # An id names collection, source and text: the moved documents take the ids they would
            # have had if ingested there, so a later ingest finds them unchanged, and the old
            # collection can be filled again without clashing.
            renamed = [(d.doc_id, doc_id_of(d.source, d.content_hash, target)) for d in moving]
            dimension = self.vectors.dimension
            with self.store.write() as db:
                rows, vectors = Store.move_documents(db, renamed, target, dimension)
                generation = Store.next_generation(db)
                # The rows stay; only their collection changes, and with it the FAISS index they are in.
                added = [(target, rows, vectors)]
                vector_files.write_delta(self.folder, generation, rows, added, dimension)
                self.lexical.commit(generation, rows, Store.lexical_rows(db, [new for _, new in renamed]))
            self._vectors.apply(generation, rows, added)
        arrived = {new for _, new in renamed}  # the target may hold other documents already
        return [d for d in self.store.documents([target]) if d.doc_id in arrived]

    def _held(self, collection: str) -> list[DocumentInfo]:
        """The documents of a collection; NotFound when it holds none."""
        held = self.store.documents([collection])
        if not held:
            raise NotFound(f"no collection '{collection}'; list them with 'rag collections'.")
        return held

    def prune(self, mails: dict[str, tuple[str, ...]], collection: str = DEFAULT_COLLECTION) -> None:
        """Removes what each mail no longer carries: the documents under its name ('<mail>/<name>')
        other than the attachments just indexed with it (a changed mail may have lost some)."""
        if not mails:
            return
        with self._writer():
            known = self.store.document_hashes(collection)
            doomed = [doc_id for mail, kept in mails.items() for doc_id in _under(known, mail, kept)]
            if doomed:
                self._delete(doomed)

    def _delete(self, doc_ids: list[str]) -> None:
        dimension = self.vectors.dimension  # read before the transaction, which keeps to its own connection
        with self.store.write() as db:
            rows = [row for doc_id in doc_ids for row in Store.delete_document(db, doc_id)]
            generation = Store.next_generation(db)
            vector_files.write_delta(self.folder, generation, rows, [], dimension)
            self.lexical.commit(generation, rows, [])
        self._vectors.apply(generation, rows, [])

    def close(self) -> None:
        self.store.close()


def _missing(doc_id: str) -> NotFound:
    return NotFound(f"no document with id '{doc_id}'; list them with 'rag docs' or GET /documents.")


def _under(known: dict[str, tuple[str, str]], mail: str, kept: tuple[str, ...]) -> list[str]:
    """The ids of the documents stored under a mail's name, but for those kept."""
    return [doc_id for source, (doc_id, _) in known.items() if source.startswith(f"{mail}/") and source not in kept]
