"""Sentence spans with exact offsets, for picking the sentences that answer a question."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "sra", "srta", "dra", "st", "no", "nos", "vol", "fig", "art",
    "arts", "inc", "ltd", "co", "corp", "jr", "etc", "vs", "e.g", "i.e", "tel", "av", "dept", "gen",
    "gov", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "núm",
    "pág", "p", "pp", "cf", "ee.uu", "u.s", "ee", "c", "ca", "approx", "aprox", "col",
}
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|\n\s*\n|\n")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_LOWER_NEXT = re.compile(r"[ \t]+[a-zà-ÿ]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of text[start:end], each stripped of surrounding white space, offsets into text."""
    end = len(text) if end is None else end
    region = text[start:end]
    spans: list[Span] = []
    begin = 0
    for match in _END.finditer(region):
        if match.group().startswith(".") and _is_abbreviation(region, match.start()):
            continue
        if match.group()[0] != "\n" and _LOWER_NEXT.match(region, match.end()):
            continue  # "et al. han demostrado", "d.C. y uno de…": a sentence does not begin in lower case
        _add(spans, text, start, region, begin, match.end())
        begin = match.end()
    _add(spans, text, start, region, begin, len(region))
    return spans


def _is_abbreviation(region: str, dot: int) -> bool:
    word = _WORD_BEFORE.search(region[max(0, dot - 24):dot])
    if not word:
        return False
    if word.group(1).lower() in _ABBREVIATIONS:
        return True
    # "A.I.A.M.P." and single capital initials ("J. Abbott") do not end sentences.
    return all(len(part) == 1 and part.isupper() for part in word.group(1).split("."))


def _add(spans: list[Span], text: str, offset: int, region: str, a: int, b: int) -> None:
    piece = region[a:b]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    s = offset + a + lead
    spans.append(Span(s, s + len(stripped), stripped))
    assert text[s:s + len(stripped)] == stripped


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


class DocumentSentences:
    """A document's sentences with their offsets and paragraph numbers, kept for bisecting per question."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = split_sentences(text)
        self.starts = [s.start for s in self.spans]
        self.ends = [s.end for s in self.spans]
        breaks = [m.end() for m in _PARAGRAPH_BREAK.finditer(text)]
        self.paragraphs = [bisect_right(breaks, s.start) for s in self.spans]
