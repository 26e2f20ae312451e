"""Typed values passed between components, with stable content-hash ids."""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import asdict, dataclass, field


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The collection of documents indexed before there were collections, and of those added without naming one.
DEFAULT_COLLECTION = "default"


def make_doc_id(source: str, text: str, collection: str = DEFAULT_COLLECTION) -> str:
    """Same collection, source and text give the same id, on any machine. The default collection
    is left out of the hash, so that documents indexed before collections keep their ids."""
    return doc_id_of(source, content_hash(text), collection)


def doc_id_of(source: str, digest: str, collection: str = DEFAULT_COLLECTION) -> str:
    """make_doc_id from the text's content hash, which a stored document keeps."""
    place = source if collection == DEFAULT_COLLECTION else f"{collection}\x00{source}"
    return hashlib.sha256(f"{place}\x00{digest}".encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Document:
    source: str
    text: str
    format: str
    language: str = "en"
    doc_id: str = field(default="")
    content_hash: str = field(default="")
    pages: tuple[tuple[int, int], ...] = ()  # each page's (start, end) in text, page 1 first
    ocr_pages: tuple[int, ...] = ()  # 1-based pages whose text came from OCR
    collection: str = DEFAULT_COLLECTION

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", content_hash(self.text))
        if not self.doc_id:
            object.__setattr__(self, "doc_id", make_doc_id(self.source, self.text, self.collection))


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str

    @property
    def chunk_id(self) -> str:
        return hashlib.sha256(f"{self.doc_id}:{self.start}:{self.end}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk, with the evidence each retriever gave for it."""

    row: int
    doc_id: str
    source: str
    start: int
    end: int
    text: str
    language: str
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None


@dataclass(frozen=True)
class Citation:
    doc_id: str
    source: str
    start: int
    end: int
    quote: str
    score: float
    language: str = "en"  # the cited document's language
    # The quote machine-translated into the question's language when the two differ, else None.
    # Shown beside the quote, marked as a machine translation; never in its place.
    gloss: str | None = None
    page: int | None = None  # the 1-based page holding the quote's start; None for formats without pages

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    answer: str
    found: bool
    language: str
    citations: list[Citation]
    took_ms: float = 0.0
    conversation_id: str | None = None
    # The answer with each quote replaced by its gloss, [n] markers kept; None when no citation
    # is in another language than the question.
    answer_gloss: str | None = None

    def to_dict(self) -> dict:
        out = {
            "question": self.question,
            "answer": self.answer,
            "answer_gloss": self.answer_gloss,
            "found": self.found,
            "language": self.language,
            "citations": [c.to_dict() for c in self.citations],
            "took_ms": round(self.took_ms, 2),
        }
        if self.conversation_id is not None:
            out["conversation_id"] = self.conversation_id
        return out


def page_at(pages: tuple[tuple[int, int], ...], offset: int) -> int | None:
    """The 1-based page whose span holds `offset`, or None (no pages, or between two pages)."""
    n = bisect_right([start for start, _ in pages], offset)
    return n if n and offset < pages[n - 1][1] else None


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    source: str
    format: str
    language: str
    chars: int
    chunks: int
    content_hash: str
    added_at: str
    ocr_pages: tuple[int, ...] = ()
    collection: str = DEFAULT_COLLECTION

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


@dataclass
class IngestReport:
    added: list[DocumentInfo] = field(default_factory=list)
    replaced: list[DocumentInfo] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "added": [d.to_dict() for d in self.added],
            "replaced": [d.to_dict() for d in self.replaced],
            "unchanged": self.unchanged,
            "skipped": [asdict(s) for s in self.skipped],
            "counts": {
                "added": len(self.added),
                "replaced": len(self.replaced),
                "unchanged": len(self.unchanged),
                "skipped": len(self.skipped),
                "chunks": self.chunks,
            },
            "seconds": round(self.seconds, 3),
        }
