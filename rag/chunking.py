"""Splitting a document into overlapping chunks that remember where they sit in its text."""

from __future__ import annotations

from functools import cached_property

from .schema import Chunk, Document

# Paragraphs, then lines, then sentence ends, then words: a chunk breaks at the largest unit that fits.
SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


class Chunker:
    def __init__(self, *, chunk_size: int = 600, chunk_overlap: int = 120) -> None:
        if chunk_overlap >= chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        self._size = chunk_size
        self._overlap = chunk_overlap

    @cached_property
    def _splitter(self):
        # Imported on the first split, not with the engine: LangChain costs a question ~0.3 s of
        # start-up and only ingesting needs it.
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        return RecursiveCharacterTextSplitter(
            chunk_size=self._size,
            chunk_overlap=self._overlap,
            separators=SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
        )

    def split(self, document: Document) -> list[Chunk]:
        text = document.text
        chunks: list[Chunk] = []
        cursor = 0
        for piece in self._splitter.split_text(text):
            start = self._locate(text, piece, cursor)
            end = start + len(piece)
            chunks.append(Chunk(document.doc_id, len(chunks), start, end, piece))
            # The next piece overlaps this one by at most `chunk_overlap` characters, so it starts
            # after this one's start and no earlier than `chunk_overlap` before its end. Searching
            # from there (not just from `start + 1`) keeps repeated text (tables, runs of the same
            # line) from being placed at an earlier copy.
            cursor = max(start + 1, end - self._overlap)
        return chunks

    @staticmethod
    def _locate(text: str, piece: str, cursor: int) -> int:
        start = text.find(piece, cursor)
        if start < 0:  # the splitter only strips and joins original text, so this is a bug
            raise AssertionError("chunk is not a substring of its document")
        return start
