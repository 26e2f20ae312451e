"""OCR quality: character error rate per language on scanned-looking pages (goal: at most 2%).

Pages of known English, Spanish and Portuguese text are rendered at 200 dpi, turned about a
degree and speckled (tests/ocr_renders.py), then read as a PNG and as a PDF page without text
layer rendered at 300 dpi. Prints the mean and worst CER over --seeds renders per language, for
Tesseract's language settings: the one rag/ocr.py uses, the other order, and each page's own.

    .venv/bin/python bench/ocr_quality.py [--seeds 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from ocr_renders import TEXTS, cer, pdf, render  # noqa: E402

from rag import ocr  # noqa: E402

OWN = {"en": "eng", "es": "spa", "pt": "por"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    seeds = range(parser.parse_args().seeds)
    if not ocr.available():
        sys.exit(ocr.NOTICE)
    import pypdfium2

    settings = [ocr.LANGUAGES, "eng+spa+por", "own language"]
    print(f"{'languages':<14}{'lang':<6}{'PNG 200 dpi mean/worst':>24}{'PDF 300 dpi mean/worst':>24}")
    for languages in settings:
        for lang, text in TEXTS.items():
            tesseract = OWN[lang] if languages == "own language" else languages
            rates = {"png": [], "pdf": []}
            for seed in seeds:
                page = render(text, seed=seed)
                rates["png"].append(cer(text, ocr.ocr_image(page, tesseract)))
                document = pypdfium2.PdfDocument(pdf([page]))
                scan = document[0].render(scale=ocr.PDF_DPI / 72, grayscale=True).to_pil()
                scan.info["dpi"] = (ocr.PDF_DPI, ocr.PDF_DPI)
                rates["pdf"].append(cer(text, ocr.ocr_image(scan, tesseract)))
            cells = [f"{100 * sum(r) / len(r):.2f}% / {100 * max(r):.2f}%" for r in rates.values()]
            print(f"{languages:<14}{lang:<6}{cells[0]:>24}{cells[1]:>24}")


if __name__ == "__main__":
    main()
