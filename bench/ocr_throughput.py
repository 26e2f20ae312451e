"""OCR throughput: full A4 pages per second on this machine's cores, per binding and layout.

Renders --pages A4 pages of mixed English, Spanish and Portuguese text at 200 dpi
(tests/ocr_renders.py), then reads them all: with tesserocr (rag/ocr.py) in one process as
Tesseract threads it (OpenMP), in one process per core limited to one thread each, and with
pytesseract (the tesseract program once per page) likewise. Prints pages per second.

    .venv/bin/python bench/ocr_throughput.py [--pages 8]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from ocr_renders import TEXTS, render  # noqa: E402

from rag import ocr  # noqa: E402


def _one_thread() -> None:
    # Read by OpenMP when Tesseract's library loads, in this fresh process, before any page.
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _tesserocr(page) -> int:
    return len(ocr.ocr_image(page))


def _pytesseract(page) -> int:
    import pytesseract

    return len(pytesseract.image_to_string(page, lang=ocr.LANGUAGES, config="--dpi 200"))


def _rate(read, pages, processes: int, one_thread: bool) -> float:
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_one_thread if one_thread else None) as pool:
        pool.map(read, pages[:processes])  # models loaded and libraries warm before timing
        started = time.perf_counter()
        chars = pool.map(read, pages, chunksize=1)
        elapsed = time.perf_counter() - started
    assert all(chars), "a page read as empty"
    return len(pages) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=8)
    count = parser.parse_args().pages
    if not ocr.available():
        sys.exit(ocr.NOTICE)
    cores = len(os.sched_getaffinity(0))
    # Some 40 lines of 12 pt text: an A4 page as typed.
    text = "\n".join(list(TEXTS.values()) * 3)
    pages = [render(text, seed=seed) for seed in range(count)]
    print(f"{count} pages of {pages[0].width}x{pages[0].height} pixels, {cores} cores")
    for name, read in [("tesserocr", _tesserocr), ("pytesseract", _pytesseract)]:
        print(f"{name:<12} 1 process, OpenMP threads     {_rate(read, pages, 1, False):6.2f} pages/s")
        print(f"{name:<12} {cores} processes x 1 thread      {_rate(read, pages, cores, True):6.2f} pages/s")


if __name__ == "__main__":
    main()
