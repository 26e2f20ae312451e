"""rag.chunking: chunks are exact slices of the document, in order, within size, covering all of it."""

from __future__ import annotations

import random
import re

import pytest

from rag.chunking import Chunker
from rag.schema import Document

WORDS = ("the prosecutor minister police border migrants trafficking network session training workshop "
         "report court victims investigation cooperation agreement ministério investigação niño").split()


def prose(seed: int, paragraphs: int = 12) -> str:
    r = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        sentences = []
        for _ in range(r.randint(1, 8)):
            words = [r.choice(WORDS) for _ in range(r.randint(3, 25))]
            sentences.append(" ".join(words).capitalize() + r.choice([".", "?", "!", ";", ","]))
        out.append(" ".join(sentences))
    return r.choice(["\n\n", "\n", "\r\n\r\n"]).join(out)


REPETITIVE = {
    "same line": "Line of a table | x | y\n" * 60,
    "same word": "ab " * 300,
    "one long token": "x" * 1000,
    "tiny paragraphs": "a\n\nb\n\n" * 200,
    "same sentence": "It is. It is. " * 100,
    "same paragraph": ("Row, one; two. Three? Four!\n" * 40 + "\n\n") * 3,
}
TEXTS = {**{f"prose {i}": prose(i) for i in range(6)}, **REPETITIVE,
         "short": "Just one short sentence.", "padded": "\n\n   Padded text.  \n\n"}
SIZES = [(600, 120), (200, 40), (100, 0), (150, 99)]


def split(text: str, size: int = 600, overlap: int = 120):
    return Chunker(chunk_size=size, chunk_overlap=overlap).split(Document("doc.txt", text, "txt"))


@pytest.mark.parametrize("size,overlap", SIZES)
@pytest.mark.parametrize("name", sorted(TEXTS))
def test_chunks_are_exact_ordered_slices_covering_the_document(name, size, overlap):
    text = TEXTS[name]
    document = Document("doc.txt", text, "txt")
    chunks = Chunker(chunk_size=size, chunk_overlap=overlap).split(document)
    assert chunks
    covered = bytearray(len(text))
    for i, chunk in enumerate(chunks):
        assert chunk.doc_id == document.doc_id and chunk.ordinal == i
        assert text[chunk.start:chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
        assert len(chunk.text) <= size
        covered[chunk.start:chunk.end] = b"\x01" * (chunk.end - chunk.start)
        if i:
            previous = chunks[i - 1]
            assert previous.start < chunk.start and previous.end < chunk.end
            assert chunk.start >= previous.end - overlap  # overlap never exceeds the setting
    missed = [i for i, ch in enumerate(text) if not covered[i] and not ch.isspace()]
    assert not missed, f"characters {missed[:5]}... are in no chunk"
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def _shadow(text: str, seed: int = 0) -> str:
    """The same text with every word character replaced by a random CJK one: the splitter cuts it
    at exactly the same places (it only looks at separators and lengths), but every piece is unique,
    so its position is unambiguous."""
    r = random.Random(seed)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]
    return re.sub(r"\w", lambda m: r.choice(alphabet), text)


@pytest.mark.parametrize("size,overlap", SIZES)
@pytest.mark.parametrize("name", sorted(REPETITIVE))
def test_repeated_text_gets_the_offsets_where_each_chunk_really_is(name, size, overlap):
    text = REPETITIVE[name]
    spans = [(c.start, c.end) for c in split(text, size, overlap)]
    truth = [(c.start, c.end) for c in split(_shadow(text), size, overlap)]
    assert spans == truth


def test_chunks_break_at_paragraphs_when_they_fit():
    paragraphs = [f"Paragraph {i} says something about prosecutors and ministers in session {i}." for i in range(30)]
    text = "\n\n".join(paragraphs)
    chunks = split(text, 300, 60)
    assert len(chunks) > 3
    for chunk in chunks:
        pieces = chunk.text.split("\n\n")
        assert all(p in paragraphs for p in pieces), "a chunk cut a paragraph that fit whole"


def test_long_paragraph_breaks_after_a_sentence():
    sentences = [f"Sentence number {i} talks about border police cooperation." for i in range(40)]
    chunks = split(" ".join(sentences), 300, 60)
    assert len(chunks) > 3
    assert all(c.text.endswith(".") for c in chunks)


def test_short_document_is_one_chunk_of_its_stripped_text():
    text = "\n  A short note about the Fiscal Nacional.  \n"
    (chunk,) = split(text)
    assert chunk.text == text.strip() and (chunk.start, chunk.end) == (3, 3 + len(text.strip()))


def test_same_document_gives_the_same_chunks():
    text = prose(99)
    assert split(text) == split(text)


def test_overlap_must_be_smaller_than_size():
    with pytest.raises(ValueError):
        Chunker(chunk_size=100, chunk_overlap=100)
