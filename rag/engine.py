"""The engine: settings in, components wired together, questions answered and documents indexed."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from .analysis import LanguageDetector
from .access import check_collection
from .approximate import Approximate
from .answer import AcrossLanguages, Composer, bm25_idf
from .chunking import Chunker
from .conversations import ConversationStore, Turn
from .embedding import Embedder, LazyEmbedder
from .errors import InvalidInput
from .followup import search_text, subject_of
from .gloss import add_glosses
from .i18n import NO_DOCUMENTS, TOO_LONG, message
from .glossary import Glossary
from .index import Embedded, Index, Progress
from .meaning import LIKELY
from .parsing import OnPage, Parsed, ParseLimits, ParserPool
from .query import Query, QueryAnalyzer
from .reading import read_files
from .retrieval import HybridRetriever, Mode
from .schema import DEFAULT_COLLECTION, Answer, DocumentInfo, IngestReport, Skipped
from .settings import Settings
from .sources import SourceFile, discover
from .store import Collections
from .translation import NoTranslator, Translator, load_translator

log = logging.getLogger("rag.engine")

MAX_QUESTION_CHARS = 2000
UNKNOWN_FOREIGN_WEIGHT = 0.3
# A folder is parsed and written a batch of about this many characters at a time: the write lock
# is taken only once a batch's text is in hand, and a big folder's text is never all in memory.
WRITE_BATCH_CHARS = 8_000_000
NO_SUCH_PATH = "no such file or folder: {}; check the path and try again."


class Engine:
    def __init__(self, settings: Settings, *, embedder: Embedder | None = None,
                 translator: Translator | None = None) -> None:
        self.settings = settings
        self.detector = LanguageDetector()
        self.glossary = Glossary.load(settings.glossary_path)
        self.index = Index(
            settings.index_dir,
            embedder=embedder or LazyEmbedder(settings.embedding_model, settings.embedding_backend,
                                                    settings.onnx_cache_dir),
            chunker=Chunker(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap),
            detector=self.detector,
            approximate=Approximate(settings.approximate_from or None, settings.approximate_nprobe),
        )
        self.parsers = ParserPool(ParseLimits.of(settings), settings.parse_workers)
        self.translator = translator or load_translator(settings.translation)
        if isinstance(self.translator, NoTranslator) and settings.translation != "off":
            log.warning("%s", self.translator.reason)  # said once, at start; everything else works
        self.analyzer = QueryAnalyzer(detector=self.detector, glossary=self.glossary, translator=self.translator,
                                      document_languages=self.index.store.languages)
        self.conversations = ConversationStore(Path(settings.index_dir) / "conversations.sqlite",
                                               ttl_hours=settings.conversation_ttl_hours)
        self.retriever = HybridRetriever(index=self.index, candidates=settings.candidates,
                                         model_languages=settings.model_languages())
        self.composer = Composer(idf=self._idf, text_of=self.index.text,
                                 pages_of=self.index.pages,
                                 max_chars=settings.max_answer_chars, threshold=settings.not_found_threshold,
                                 across=AcrossLanguages(*across) if (across := settings.across_languages()) else None,
                                 translator=self.translator,
                                 embedder=self.index.embedder, similarity_weight=settings.sentence_similarity_weight(),
                                 likely=LIKELY if settings.answer_likelihood() else 0)

    # --- questions ---------------------------------------------------------------------------

    def ask(self, question: str, *, top_k: int | None = None, conversation_id: str | None = None,
            mode: Mode = "hybrid", collections: Collections = None, owner: str = "") -> Answer:
        """Answers a question from the documents of `collections` (None: all of them); with a
        conversation_id, in the light of that conversation's turns.

        Without one, a new conversation starts, belonging to `owner` (the asking key's name): only
        the same owner may continue it. The answer carries its id either way.
        """
        started = time.perf_counter()
        question = validate_question(question, self.detector)
        history = self.conversations.turns(conversation_id, owner) if conversation_id else []
        conversation_id = conversation_id or self.conversations.start(owner)
        language = self.detector.detect(question)
        if self.index.store.is_empty(collections):
            answer = Answer(question, message(NO_DOCUMENTS, language), False, language, [])
        else:
            query = self.analyzer.analyze(search_text(question, history), language=language,
                                          document_languages=self.index.store.languages(collections))
            hits = self.retriever.retrieve(query, top_k or self.settings.top_k, mode, collections)
            answer = add_glosses(self.composer.compose(query, hits), self.translator)
        answer.question = question
        answer.conversation_id = conversation_id
        self.conversations.add(conversation_id, Turn(question, subject_of(question, history), answer.answer,
                                                     answer.found))
        answer.took_ms = (time.perf_counter() - started) * 1000
        return answer

    def warm_up(self) -> None:
        """Loads the model and the vectors so that the first question is as fast as the rest."""
        self.index.embedder.embed(["warm up"])
        _ = self.index.vectors
        self.parsers.start()

    def _idf(self, query: Query) -> dict[str, float]:
        """BM25 IDF of each question word, in whichever of its forms the index knows best.

        A word the index lacks weighs fully when the question is in a language of the
        documents: it is missing evidence. In another language, a word neither the index nor
        the glossary knows may only be untranslated ("fazem parte"), so it weighs less.
        """
        store = self.index.store
        groups = query.groups
        _, chunks = store.count()
        # A machine translation is in the documents' language: a word of it they lack is missing
        # evidence. Weighing it less (as an untranslated word) answered unanswerable questions
        # from mistranslations ("orçamento" -> "estimate"): seeds dev n04.
        missing_weight = UNKNOWN_FOREIGN_WEIGHT if query.language not in store.languages() else 1.0
        stem_df = self.index.lexical.document_counts("stem", query.stem_terms)
        prefix_df = self.index.lexical.document_counts("pref", {p for g in groups for p in g.prefixes})
        weights = {}
        for g in groups:
            df = max((stem_df.get(s, 0) for s in g.stems), default=0)
            if df == 0:  # a translated word is as rare as its translation's rarest word
                df = max((min(max(stem_df.get(s, 0) for s in word) for word in phrase) for phrase in g.phrases),
                         default=0)
            if df == 0:
                df = max((prefix_df.get(p, 0) for p in g.prefixes), default=0)
            weights[g.word] = bm25_idf(chunks, df) * (missing_weight if df == 0 and not g.phrases else 1.0)
        return weights

    # --- documents ---------------------------------------------------------------------------

    def ingest_paths(self, paths: Iterable[Path], *, collection: str = DEFAULT_COLLECTION, follow_links: bool = False,
                     progress: Progress | None = None, on_total=None, on_page: OnPage | None = None,
                     cluster: str | None = None) -> IngestReport:
        """Ingests files and folders, here or, given a Dask scheduler's address, on its workers
        (rag/cluster.py; OCR's pages are then not told to `on_page`). Files are found as they are
        read, never listed whole; `on_total`, if given, costs one more walk of the folders to count them."""
        paths = [Path(p) for p in paths]
        missing = [path for path in paths if not _checked(path.exists)]
        if missing:  # said before anything is written: a typo in the last path costs nothing
            raise InvalidInput(NO_SUCH_PATH.format(missing[0]))
        if on_total:
            on_total(sum(1 for _ in _discovered(paths, follow_links)))
        files = _discovered(paths, follow_links)
        if cluster:
            from . import cluster as dask_cluster  # Dask only when asked for: an optional extra

            return dask_cluster.ingest(self, files, cluster, collection=collection, progress=progress)
        return self.ingest_files(files, collection=collection, progress=progress, on_page=on_page)

    def ingest_files(self, files: Iterable[SourceFile], *, collection: str = DEFAULT_COLLECTION,
                     progress: Progress | None = None, on_page: OnPage | None = None) -> IngestReport:
        """Parses and writes the files into a collection, a batch at a time; the write lock is held only to write.
        `progress` counts files done; `on_page` is told of each page OCR reads."""
        check_collection(collection)
        started = time.perf_counter()
        report = IngestReport()
        parsed = self.parse(files, report.skipped, progress=progress, on_page=on_page)
        self.write_batches(parsed, report, collection=collection, progress=progress)
        report.seconds = time.perf_counter() - started
        return report

    def write_batches(self, items: Iterable[Parsed | Embedded], report: IngestReport, *,
                      collection: str = DEFAULT_COLLECTION, progress: Progress | None = None) -> None:
        """Writes files as they come, parsed or embedded, a batch of about WRITE_BATCH_CHARS
        characters at a time: the only texts in memory are one batch's."""
        batch: list[Parsed | Embedded] = []
        size = 0
        for item in items:
            batch.append(item)
            size += len(item.document.text if isinstance(item, Embedded) else item.text)
            if size >= WRITE_BATCH_CHARS:
                self.write(batch, report, collection=collection, progress=progress)
                batch, size = [], 0
        self.write(batch, report, collection=collection, progress=progress)

    def parse(self, files: Iterable[SourceFile], skipped: list[Skipped], *,
              progress: Progress | None = None, on_page: OnPage | None = None) -> Iterator[Parsed]:
        """Each file's text, parsed in the parser processes (see rag/reading.py)."""
        return read_files(self.parsers, files, skipped, progress=progress, on_page=on_page)

    def write(self, parsed: list[Parsed | Embedded], report: IngestReport, *, collection: str = DEFAULT_COLLECTION,
              progress: Progress | None = None) -> None:
        """Indexes parsed files (or embedded ones: rag/cluster.py) into a collection under the write
        lock, adding what happened to `report`."""
        if not parsed:
            return
        written = self.index.ingest(parsed, collection=collection, progress=progress)
        self.index.prune({p.source: p.attachments for p in parsed if p.attachments is not None}, collection)
        report.added += written.added
        report.replaced += written.replaced
        report.unchanged += written.unchanged
        report.chunks += written.chunks

    def documents(self, collections: Collections = None) -> list[DocumentInfo]:
        return self.index.documents(collections)

    def remove(self, *, doc_id: str | None = None, source: str | None = None,
               collection: str = DEFAULT_COLLECTION) -> DocumentInfo:
        return self.index.remove(doc_id=doc_id, source=source, collection=collection)

    def close(self) -> None:
        self.parsers.close()
        self.index.close()
        self.translator.close()
        self.conversations.close()


def _discovered(paths: list[Path], follow_links: bool) -> Iterator[SourceFile]:
    """The files under `paths`, one at a time, a path the system refuses as InvalidInput."""
    found = discover(paths, follow_links=follow_links)
    while (file := _checked(lambda: next(found, None))) is not None:
        yield file


def _checked(step):
    """`step()`, with the errors of a path that cannot be read turned into one line saying which."""
    try:
        return step()
    except FileNotFoundError as exc:
        raise InvalidInput(NO_SUCH_PATH.format(exc)) from None
    except OSError as exc:  # a name too long for the file system, a folder that may not be read
        name = str(exc.filename)
        name = name if len(name) <= 120 else f"{name[:60]}…{name[-60:]}"
        raise InvalidInput(f"cannot read {name}: {exc.strerror or exc}; check the path and try again.") from None


def validate_question(question: str, detector: LanguageDetector | None = None) -> str:
    """The question stripped, or InvalidInput saying what to fix, in the question's language when
    it has words to tell it by."""
    if not isinstance(question, str) or not question.strip():
        raise InvalidInput("the question is empty; type a question, e.g. 'Who implements TRACK4TIP?'.")
    if len(question) > MAX_QUESTION_CHARS:
        language = detector.detect(question) if detector else "en"
        raise InvalidInput(message(TOO_LONG, language).format(length=len(question), limit=MAX_QUESTION_CHARS))
    return question.strip()
