"""`rag ingest --cluster`: files parsed, chunked and embedded on a Dask cluster's workers, written
by this process, the index's single writer.

- **Bytes, not paths.** The client reads each file and sends its bytes, so workers need the project
  installed (and the model, for a model given as a folder) but no shared file system or matching
  mount points. A file over RAG_MAX_UPLOAD_BYTES (the largest upload the service takes) is skipped
  with that reason, and at most IN_FLIGHT files per worker thread are out at once: the client's
  memory stays bounded whatever the folder's size.
- **Same safety.** A worker reads through rag/reading.py and a ParserPool of its own, with the
  client's parsing limits: the very code, processes and resource limits of a local ingest.
- **Same writes.** Results go to Engine.write in batches (Index.ingest takes them embedded), each
  commit atomic as in a local ingest: a worker or client that dies leaves the last good index.
  Dask runs the file of a lost worker again on another; a file that keeps killing workers stops
  the ingest with the batches before it kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .access import check_collection
from .analysis import LanguageDetector
from .chunking import Chunker
from .embedding import Embedder, embed_grouped, load_embedder, model_name
from .errors import ClusterFailed, RagError
from .index import Embedded, Progress, split
from .loaders import BadFile
from .parsing import ParseLimits, ParserPool
from .reading import SAME_NAME, read_files
from .schema import IngestReport, Skipped
from .settings import Backend, Settings
from .sources import SourceFile

# Files out at once per worker thread: enough to keep each busy while its last result travels back.
IN_FLIGHT = 2
CONNECT_SECONDS = 10.0


@dataclass(frozen=True)
class Job:
    """What a worker needs of the client's settings (never the whole Settings: it holds secrets)."""

    limits: ParseLimits
    parse_workers: int
    model: str
    chunk_size: int
    chunk_overlap: int
    backend: Backend = "onnx"

    @classmethod
    def of(cls, settings: Settings) -> "Job":
        return cls(ParseLimits.of(settings), settings.parse_workers, settings.embedding_model,
                   settings.chunk_size, settings.chunk_overlap, settings.embedding_backend)


class _Reader:
    """A worker process's parsers, chunker, detector and model, made once and kept for its files.
    Never closed: its parser processes end with the worker, when their pipe from it closes."""

    def __init__(self, job: Job) -> None:
        self.parsers = ParserPool(job.limits, job.parse_workers)
        self.chunker = Chunker(chunk_size=job.chunk_size, chunk_overlap=job.chunk_overlap)
        self.detector = LanguageDetector()
        self.embedder: Embedder = load_embedder(job.model, job.backend)
        self.model = model_name(job.model)


_readers: dict[Job, _Reader] = {}
_making = threading.Lock()  # a worker's threads run files at once: one model per worker


def _reader(job: Job) -> _Reader:
    with _making:
        if job not in _readers:
            _readers[job] = _Reader(job)
        return _readers[job]


def process(file: SourceFile, job: Job, collection: str) -> tuple[list[Embedded], list[Skipped]]:
    """On a worker: a file (a mail's attachments first) parsed, chunked and embedded, and what of it
    could not be read."""
    reader = _reader(job)
    skipped: list[Skipped] = []
    documents = [split(parsed, collection, reader.detector, reader.chunker) + (parsed.attachments,)
                 for parsed in read_files(reader.parsers, [file], skipped)]
    vectors = embed_grouped(reader.embedder, [[c.text for c in chunks] for _, chunks, _ in documents],
                            reader.embedder.dimension)
    return [Embedded(document, chunks, rows, reader.model, attachments)
            for (document, chunks, attachments), rows in zip(documents, vectors)], skipped


def ingest(engine, files: Iterable[SourceFile], address: str, *, collection: str,
           progress: Progress | None = None) -> IngestReport:
    """Ingests the files through the cluster whose scheduler is at `address`, writing as
    Engine.ingest_files does. ClusterFailed when the scheduler cannot be reached, has no workers,
    or a worker fails on a file."""
    check_collection(collection)
    started = time.perf_counter()
    report = IngestReport()
    advance = progress or (lambda n: None)
    client = _connect(address)
    from distributed import as_completed  # there, once _connect has said what to do if Dask is missing

    try:
        job = Job.of(engine.settings)
        sendable = _sendable(files, engine.settings.max_upload_bytes, report.skipped, advance)
        running = as_completed(loop=client.loop)  # this client's, not a default one: set_as_default=False
        sources = {}

        def submit() -> None:
            file = next(sendable, None)
            if file is not None:
                future = client.submit(process, file, job, collection, pure=False)
                sources[future.key] = file.source
                running.add(future)

        for _ in range(IN_FLIGHT * sum(client.nthreads().values())):
            submit()
        engine.write_batches(_results(running, sources, report, advance, submit), report,
                             collection=collection, progress=progress)
    finally:
        client.close()
    report.seconds = time.perf_counter() - started
    return report


def _results(running, sources: dict, report: IngestReport, advance: Callable[[int], None],
             submit: Callable[[], None]) -> Iterator[Embedded]:
    """Each file's documents as its worker finishes it, the next file sent in its place; what a
    worker skipped goes to `report`. ClusterFailed, saying what to do, when a worker fails."""
    for future in running:
        try:
            embedded, skipped = future.result()
        except RagError:
            raise
        except Exception as exc:  # noqa: BLE001 — a lost worker, a missing package: one line, what to do
            raise ClusterFailed(
                f"the cluster failed on {sources[future.key]} ({exc.__class__.__name__}: {exc}); the index keeps "
                "every batch written before; check the workers (the project installed, the same model) and "
                "run the same ingest again: unchanged files are skipped.") from None
        submit()
        report.skipped += skipped
        if not embedded:
            advance(1)  # refused on the worker: done
        yield from embedded


def _connect(address: str):
    """A client of the scheduler at `address` with at least one worker, or ClusterFailed saying what to do."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterFailed("Dask is not installed here; install the project with its 'cluster' extra "
                            "(pip install '.[cluster]'), or ingest without --cluster.") from None
    advice = ("start a scheduler ('dask scheduler') and workers ('dask worker tcp://HOST:8786') where the "
              "project is installed, or ingest without --cluster")
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, ValueError) as exc:  # refused, timed out, or not an address
        raise ClusterFailed(f"cannot reach the Dask scheduler at {address} ({exc}); {advice}.") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError):
        client.close()
        raise ClusterFailed(f"the Dask scheduler at {address} has no workers; {advice}.") from None
    return client


def _sendable(files: Iterable[SourceFile], limit: int, skipped: list[Skipped],
              advance: Callable[[int], None]) -> Iterator[SourceFile]:
    """Each file as the bytes a worker parses, read one at a time as workers become free; a file that
    cannot be sent goes to `skipped`. A refused file (a link out of the folder) goes as it is, unread,
    for the worker's parser to refuse like a local one."""
    seen: set[str] = set()
    for file in files:
        try:
            if file.source in seen:
                raise BadFile(SAME_NAME)
            seen.add(file.source)
            if file.refused or file.data is not None:
                yield file
                continue
            try:
                too_big = file.path.stat().st_size > limit
            except OSError:
                too_big = False  # read() says why it cannot
            if too_big:
                raise BadFile(f"larger than RAG_MAX_UPLOAD_BYTES ({limit} bytes), the most a file sent to the "
                              "cluster may weigh; raise it, or ingest the file without --cluster")
            yield SourceFile(file.source, None, file.read())
        except BadFile as exc:
            skipped.append(Skipped(file.source, str(exc)))
            advance(1)
