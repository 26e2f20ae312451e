"""Request and response bodies. Field names are the public contract; keep them stable."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from rag.access import COLLECTION_PATTERN
from rag.engine import MAX_QUESTION_CHARS

# A question needs one character that is not whitespace. The schema states exactly what is
# checked: the length counts every character, as the engine does, and the pattern is matched by
# Python's `re` (regex_engine below), whose whitespace is str.isspace(), the engine's own test.
NOT_BLANK = r"\S"
Question = Annotated[str, Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NOT_BLANK,
                                description="Must hold a character other than whitespace.")]


def _integral(value: object) -> object:
    # JSON Schema counts 20.0 as an integer, and JSON clients may send one; 2.5 and "5" still fail.
    return int(value) if isinstance(value, float) and value.is_integer() else value


TopK = Annotated[int, Field(ge=1, le=50), BeforeValidator(_integral)]
CollectionName = Annotated[str, Field(
    pattern=COLLECTION_PATTERN, description="1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit.")]


class AskRequest(BaseModel):
    # Strict: "5" is not a top_k and 7 is not a question; unknown fields are mistakes, not options.
    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re",
                              json_schema_extra={"examples": [{"question": "Who implements TRACK4TIP?"}]})

    question: Question
    top_k: TopK | None = Field(default=None, description="Passages to retrieve (default: RAG_TOP_K).")
    conversation_id: str | None = Field(
        default=None, min_length=1, max_length=64,
        description="Continue this conversation (from an earlier answer); omit to start a new one.")
    collections: list[CollectionName] | None = Field(
        default=None, min_length=1, max_length=100,
        description="Search only these collections (each one the key may read); omit to search every "
                    "collection the key may read.")


class CitationOut(BaseModel):
    doc_id: str
    source: str
    start: int = Field(description="Offset of the quote in GET /documents/{doc_id}/text.")
    end: int
    quote: str
    score: float
    language: str = Field(description="The cited document's language (en, es or pt).")
    gloss: str | None = Field(description="The quote machine-translated into the question's language when the "
                                          "document's language differs; null otherwise. Never replaces the quote.")
    page: int | None = Field(description="The 1-based page of a PDF holding the quote's start; null for "
                                         "formats without pages.")


class AnswerOut(BaseModel):
    question: str
    answer: str
    answer_gloss: str | None = Field(
        description="The answer with each quote replaced by its machine translation into the question's "
                    "language, [n] markers kept; null when every citation is in the question's language.")
    found: bool
    language: str
    citations: list[CitationOut]
    took_ms: float
    conversation_id: str = Field(description="Send it back with a follow-up question to continue.")


class DocumentOut(BaseModel):
    doc_id: str
    collection: str
    source: str = Field(description="Unique within its collection.")
    chunks: int
    format: str
    language: str
    chars: int
    content_hash: str
    added_at: str
    ocr_pages: list[int] = Field(description="The 1-based pages whose text was recognised from an image (OCR).")


class DocumentText(BaseModel):
    doc_id: str
    source: str
    text: str


class PageSpan(BaseModel):
    page: int = Field(description="1-based.")
    start: int = Field(description="Offset of the page's first character in GET /documents/{doc_id}/text.")
    end: int = Field(description="Offset just past its last character; equal to start for a page without text.")


class DocumentPages(BaseModel):
    doc_id: str
    pages: list[PageSpan] = Field(description="Every page in order; empty for formats without pages.")


class Refusal(BaseModel):
    source: str
    reason: str


class UploadCounts(BaseModel):
    added: int
    replaced: int
    unchanged: int
    refused: int
    chunks: int


class UploadOut(BaseModel):
    added: list[DocumentOut]
    replaced: list[DocumentOut]
    unchanged: list[str] = Field(description="Sources whose content was already indexed.")
    refused: list[Refusal]
    counts: UploadCounts
    seconds: float


class Live(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ready"]
    documents: int
    chunks: int


class NotReady(BaseModel):
    status: Literal["not ready"]
    detail: str


class CollectionOut(BaseModel):
    name: str
    documents: int | None = Field(description="Null for a collection the key may write but not read.")
    chunks: int | None
    read: bool = Field(description="The key may ask, list and read in it.")
    write: bool = Field(description="The key may upload into it and remove from it.")


class ErrorOut(BaseModel):
    detail: str = Field(description="What happened and what to do, in one line.")


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class InvalidRequestOut(ErrorOut):
    errors: list[FieldError] = Field(description="One entry per invalid part of the request.")


class UploadRefusedOut(ErrorOut):
    refused: list[Refusal] = Field(default_factory=list, description="The files refused, each with its reason.")


class OcrPageOut(BaseModel):
    source: str = Field(description="The file OCR is reading ('<mail>/<attachment>' for a mail's attachment).")
    page: int = Field(description="How many of its pages OCR has read, this one included.")
    pages: int = Field(description="How many of its pages OCR reads: all of an image's, a PDF's pages without "
                                   "a text layer.")


class UploadErrorOut(ErrorOut):
    refused: list[Refusal] = Field(default_factory=list, description="The files refused, each with its reason.")
    reference: str | None = Field(default=None, description="An unexpected failure's reference in the service log.")


class UploadJobOut(BaseModel):
    upload_id: str = Field(description="GET /uploads/{upload_id}, with the same key, tells how the upload is going.")
    collection: str = Field(description="The collection the files go to.")
    state: Literal["reading", "indexing", "done", "failed"] = Field(
        description="reading: the files are parsed, scans read by OCR; indexing: their passages are embedded "
                    "and written; done: `report` holds what POST /documents answers; failed: `error` holds "
                    "its error, `status` its status.")
    files: int = Field(description="Files accepted for reading; the refused ones are listed in the report.")
    ocr: OcrPageOut | None = Field(description="The page OCR is reading, while it reads; null otherwise.")
    status: int | None = Field(description="Once finished, the status POST /documents would have answered.")
    report: UploadOut | None = Field(description="Once done, what POST /documents answers.")
    error: UploadErrorOut | None = Field(description="Once failed, the error POST /documents would have answered.")


def error_responses(*statuses: int, model: type[ErrorOut] | None = None) -> dict[int, dict]:
    """OpenAPI entries for the errors a route can answer: ErrorOut, and a 422's field list, unless
    `model` says otherwise."""
    return {status: {"model": model or (InvalidRequestOut if status == 422 else ErrorOut)} for status in statuses}
