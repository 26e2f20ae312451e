"""Answers through OCR: the seed documents as scanned PDFs against the same documents as text.

Each seed is cut at paragraph ends into pages of about 2,500 characters, each page drawn as a
scan (tests/ocr_renders.py: 200 dpi, turned 1 degree, speckled) into a PDF with no text layer.
Both sets are indexed into temporary indexes with the settings' model and asked
../shared/eval/seeds_dev.jsonl. Prints the fact recall of each and their ratio (goal >= 0.9), and
how many citations into the scans name the page their quote was drawn on.

    .venv/bin/python bench/ocr_answers.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, SEEDS, indexed, table
from rag.engine import Engine
from rag.evaluation import evaluate, load_cases

sys.path.append(str(ROOT / "tests"))
from ocr_renders import normalise, pdf, render  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "seeds_dev.jsonl"
PAGE_CHARS = 2500


def pages_of(text: str) -> list[str]:
    """The text cut at paragraph ends into pages of about PAGE_CHARS characters."""
    pages, page = [], ""
    for paragraph in text.split("\n"):
        if page and len(page) + len(paragraph) > PAGE_CHARS:
            pages.append(page)
            page = ""
        page += paragraph + "\n"
    return pages + [page] if page.strip() else pages


def drawn_on(quote: str, pages: list[str]) -> int:
    """The 1-based page whose drawn text shares most words with a quote read back by OCR."""
    words = set(normalise(quote).lower().split())
    return 1 + max(range(len(pages)), key=lambda n: len(words & set(normalise(pages[n]).lower().split())))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        scans, drawn = Path(tmp) / "scans", {}
        scans.mkdir()
        for number, seed in enumerate(sorted(SEEDS.iterdir())):
            pages = pages_of(seed.read_text("utf-8"))
            drawn[f"{seed.stem}.pdf"] = pages
            drawings = [render(page, seed=number * 100 + n) for n, page in enumerate(pages)]
            (scans / f"{seed.stem}.pdf").write_bytes(pdf(drawings))
        count = sum(len(pages) for pages in drawn.values())
        rows = [("seed documents as pages", f"{count} pages of about {PAGE_CHARS} characters")]
        results = {}
        for name, folder in (("text", SEEDS), ("scanned PDFs", scans)):
            started = time.perf_counter()
            with indexed(folder) as settings:
                took = time.perf_counter() - started
                engine = Engine(settings)
                report = evaluate(engine, DEV)
                if folder is scans:
                    cited = [c for case in load_cases(DEV) if case.question and not case.turns
                             for c in engine.ask(case.question).citations]
                    right = sum(1 for c in cited if c.page == drawn_on(c.quote, drawn[c.source]))
                    rows.append(("citations into scans on the right page", f"{right} of {len(cited)}"))
                    rows.append(("scanned PDFs indexed (OCR included)", f"{took:.1f} s"))
                engine.close()
            results[name] = report["fact_recall"]
            rows.append((f"fact recall, {name}", f"{report['fact_recall']:.3f}"))
        rows.append(("scanned / text", f"{results['scanned PDFs'] / results['text']:.3f}  (goal >= 0.9)"))
    print(table(rows))


if __name__ == "__main__":
    main()
