"""Request and response bodies. Field names are the public contract; keep them stable."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from rag.engine import MAX_QUESTION_CHARS

# Leading and trailing blanks are dropped before the length checks, so "   " is an empty question.
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUESTION_CHARS)]


class AskRequest(BaseModel):
    # Strict: "5" is not a top_k and 7 is not a question; unknown fields are mistakes, not options.
    model_config = ConfigDict(extra="forbid", strict=True,
                              json_schema_extra={"examples": [{"question": "Who implements TRACK4TIP?"}]})

    question: Question
    top_k: int | None = Field(default=None, ge=1, le=50, description="Passages to retrieve (default: RAG_TOP_K).")
    conversation_id: str | None = Field(
        default=None, min_length=1, max_length=64,
        description="Continue this conversation (from an earlier answer); omit to start a new one.")


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
    source: str
    chunks: int
    format: str
    language: str
    chars: int
    content_hash: str
    added_at: str


class DocumentText(BaseModel):
    doc_id: str
    source: str
    text: str


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


class Health(BaseModel):
    status: str
    documents: int
    chunks: int


class ErrorOut(BaseModel):
    detail: str


def error_responses(*statuses: int) -> dict[int, dict]:
    """OpenAPI entries for the errors a route can answer, all shaped as ErrorOut."""
    return {status: {"model": ErrorOut} for status in statuses}
