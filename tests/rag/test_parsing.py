"""Hostile files through the real parser processes: each refused with the limit it hit, in bounded
time and memory, and the pool keeps parsing the next file."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from rag.loaders import BadFile, ContentLimits
from rag.sources import SourceFile
from rag.parsing import OcrProgress, ParseLimits, ParserPool

sys.path.append(str(Path(__file__).resolve().parents[1] / "service"))

from bomb_files import (docx_bomb, docx_lying_header, docx_many_paragraphs, nested_html,  # noqa: E402
                        pdf_deep_nesting, pdf_many_pages)
from rss import children, watch  # noqa: E402

MB = 1024 * 1024
BOUND = 60  # seconds: every refusal here is expected in well under this; it proves "bounded", not speed


def pool(**limits) -> ParserPool:
    values = {"memory_mb": 1024, "cpu_seconds": 20, "timeout_seconds": 40.0,
              "content": ContentLimits(max_extracted_bytes=100 * MB, max_pdf_pages=3000)} | limits
    return ParserPool(ParseLimits(**values), 1)


# Child processes of this one that are not the test's parsers (those of engines other tests left
# open), made before the test's pool starts any: their memory is not the test's.
OTHERS: set[int] = set()


@pytest.fixture
def parsers():
    made: list[ParserPool] = []

    def make(**limits) -> ParserPool:
        OTHERS.clear()
        OTHERS.update(children(os.getpid()))
        made.append(pool(**limits))
        return made[-1]

    yield make
    for p in made:
        p.close()


def refusal(parsers: ParserPool, name: str, data: bytes) -> tuple[str, float, float]:
    """(reason, seconds, peak MB of the parser process) of a file that must be refused."""
    started = time.monotonic()
    with watch(os.getpid(), besides=frozenset(OTHERS)) as peaks:
        with pytest.raises(BadFile) as refused:
            parsers.parse(SourceFile(name, None, data))
    return str(refused.value), time.monotonic() - started, peaks.children_mb


def still_parses(parsers: ParserPool) -> None:
    assert parsers.parse(SourceFile("after.txt", None, b"Still here.")).text == "Still here."


def test_a_zip_bomb_docx_is_refused_by_its_uncompressed_size(parsers):
    p = parsers()
    bomb = docx_bomb(1100 * MB)  # the report's bomb: about 1 MB on the wire, 1.1 GB of XML
    assert len(bomb) < 3 * MB
    reason, seconds, peak = refusal(p, "bomb.docx", bomb)
    assert "RAG_MAX_EXTRACTED_BYTES" in reason and f"{100 * MB} bytes" in reason
    assert seconds < BOUND and peak < 300
    still_parses(p)


def test_a_docx_whose_headers_understate_its_size_is_refused(parsers):
    p = parsers()
    reason, seconds, peak = refusal(p, "liar.docx", docx_lying_header(300 * MB))
    assert "corrupt .docx" in reason and "CRC" in reason
    assert seconds < BOUND and peak < 300
    still_parses(p)


def test_a_docx_just_under_the_limit_still_counts_its_every_byte(parsers):
    p = parsers(content=ContentLimits(max_extracted_bytes=8 * MB, max_pdf_pages=10))
    reason, _, _ = refusal(p, "big.docx", docx_bomb(10 * MB))
    assert "RAG_MAX_EXTRACTED_BYTES" in reason


def test_a_pdf_of_100k_pages_is_refused_by_its_page_count(parsers):
    p = parsers()
    reason, seconds, _ = refusal(p, "pages.pdf", pdf_many_pages(100_000))
    assert "more than 3000 pages" in reason and "RAG_MAX_PDF_PAGES" in reason
    assert seconds < BOUND


def test_a_pdf_that_declares_one_page_of_100k_is_counted(parsers):
    p = parsers()
    reason, seconds, _ = refusal(p, "count.pdf", pdf_many_pages(100_000, declared=1))
    assert "RAG_MAX_PDF_PAGES" in reason or "RAG_PARSE_CPU_SECONDS" in reason
    assert seconds < BOUND
    still_parses(p)


def test_a_deeply_nested_pdf_is_refused(parsers):
    p = parsers()
    reason, seconds, _ = refusal(p, "deep.pdf", pdf_deep_nesting(100_000))
    assert "PDF" in reason or "nested" in reason
    assert seconds < BOUND
    still_parses(p)


def test_100k_nested_html_tags_parse_in_bounded_time(parsers):
    p = parsers()
    started = time.monotonic()
    parsed = p.parse(SourceFile("nested.html", None, nested_html(100_000)))
    assert parsed.text == "deep inside" and time.monotonic() - started < BOUND


def test_cpu_time_over_the_limit_kills_the_parser_and_names_the_limit(parsers):
    p = parsers(cpu_seconds=1, content=ContentLimits(max_extracted_bytes=100 * MB, max_pdf_pages=10**6))
    reason, seconds, _ = refusal(p, "slow.pdf", pdf_many_pages(100_000, declared=1))
    assert "1 s of CPU time" in reason and "RAG_PARSE_CPU_SECONDS" in reason
    assert seconds < BOUND
    still_parses(p)  # a fresh parser took the killed one's place


def test_wall_clock_over_the_limit_kills_the_parser_and_names_the_limit(parsers):
    p = parsers(timeout_seconds=0.5)
    reason, seconds, _ = refusal(p, "slow.html", nested_html(100_000))
    assert "longer than 0.5 s" in reason and "RAG_PARSE_TIMEOUT_SECONDS" in reason
    assert seconds < BOUND
    still_parses(p)


def test_memory_over_the_limit_is_refused_and_the_parser_replaced(parsers):
    p = parsers(memory_mb=300)
    # Well under the uncompressed-size limit, but its DOM needs far more than 300 MB.
    reason, seconds, peak = refusal(p, "dom.docx", docx_many_paragraphs(2_000_000))
    assert "300 MB of memory" in reason and "RAG_PARSE_MEMORY_MB" in reason
    assert seconds < BOUND and peak < 300
    still_parses(p)


@pytest.mark.integration
def test_each_page_ocr_reads_adds_its_allowance_so_a_long_scan_is_not_taken_for_a_bomb(parsers):
    sys.path.append(str(Path(__file__).resolve().parents[1]))
    from ocr_renders import TEXTS, render, tiff

    from rag import ocr

    if not ocr.available():
        pytest.skip(ocr.NOTICE)
    scan = tiff([render(TEXTS[lang], seed=n) for n, lang in enumerate(["en", "es", "pt"] * 6)])
    # Limits a third of what the scan takes on this machine (2.2-2.5 s on one, over 3 s on another):
    # fixed ones were longer than the whole scan on a fast machine.
    started = time.monotonic()
    parsers(cpu_seconds=120, timeout_seconds=120.0).parse(SourceFile("long-scan.tiff", None, scan))
    third = (time.monotonic() - started) / 3
    tight = {"cpu_seconds": max(1, int(third)), "timeout_seconds": third}
    told = []
    read = parsers(**tight, ocr_page_seconds=30.0).parse(SourceFile("long-scan.tiff", None, scan), told.append)
    assert read.ocr_pages == tuple(range(1, 19))
    # Each page is told to the caller as it is read, for the CLI's and the upload's progress.
    assert told == [OcrProgress("long-scan.tiff", n, 18) for n in range(1, 19)]
    # The same limits without the allowance: the scan takes longer than they give a file.
    reason, _, _ = refusal(parsers(**tight, ocr_page_seconds=0.0), "long-scan.tiff", scan)
    assert "RAG_PARSE_TIMEOUT_SECONDS" in reason or "RAG_PARSE_CPU_SECONDS" in reason
