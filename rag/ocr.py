"""Text from scanned pages, offline: Tesseract with its English, Spanish and Portuguese models.

Installed from Debian: tesseract-ocr, tesseract-ocr-eng, tesseract-ocr-spa, tesseract-ocr-por
(the Makefile and .ci/run do it). Without their language data, `available()` is False,
`NOTICE` says in one line what to install, and every call here raises OcrUnavailable, a BadFile:
the file is refused with that reason and nothing else stops.

Binding: tesserocr, Tesseract's C API in this process (its wheel brings libtesseract; only
Debian's language data are read): the models are loaded once, a page goes in as a PIL image.
pytesseract runs the tesseract program once per page, which writes the page to a temporary
file and loads the three models again each time. On 2 shared cores (bench/ocr_throughput.py, A4
pages at 200 dpi) tesserocr read 0.28 pages/s as Tesseract threads it, pytesseract 0.05 (its
OpenMP threads thrash), and both about 0.25 one thread per process per core. A crash in C code
would take its process down, but files are parsed in sandboxed parser processes
(rag/parsing.py) that are replaced when they die. OCRmyPDF is a whole PDF pipeline (Ghostscript,
a new PDF written out) for what is here one page image in, text out. PDF pages are rendered by
pypdfium2 (PDFium in-process, a wheel): no poppler-utils and no process per page.

One Tesseract run reads the three languages together, Portuguese leading ("por+spa+eng"): a
page's language is not known before reading it, and on the renders of bench/ocr_quality.py this
reads as well as each page's own language (worst character error rate 1.8%, goal 2%), where
"eng+spa+por" misreads Portuguese accents (2.7%).

Hostile images: a page of more than `max_pixels` pixels (a decompression bomb: a few KB that
decode to gigabytes) is refused before it is decoded, as is a corrupt image; a multi-page TIFF
of more than `max_pages` pages too.
"""

from __future__ import annotations

import glob
import io
import os
import threading
import warnings
from typing import Callable

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from .loaders import BadFile

# The first language leads: Portuguese first reads its own accents (ã, ç, ê) that Spanish and
# English first misread as á, c, é (bench/ocr_quality.py), and costs Spanish and English nothing.
LANGUAGES = "por+spa+eng"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
PDF_DPI = 300
# An A4 page scanned at 600 dpi is 35 million pixels; a bomb is far beyond.
MAX_PIXELS = 60_000_000
MAX_PAGES = 3000
_DEBIAN_PACKAGES = "tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-por"
NOTICE = f"OCR is off (scanned pages are refused) until: sudo apt-get install {_DEBIAN_PACKAGES}"
# Tesseract's own guess when an image says nothing is 70 dpi, which shrinks its idea of the text.
_DEFAULT_DPI = 300

# (n, of): OCR starts reading the nth of the pages it reads, as it starts, so that a page's whole
# reading time shows which page it is (a single-page image told only once read showed nothing).
Progress = Callable[[int, int], None]


class OcrUnavailable(BadFile):
    """Tesseract or its language data are not installed."""


class NoText(BadFile):
    """OCR read nothing: a blank page, a photo, or a scan too faint or too small."""


def _tessdata() -> str | None:
    """The folder holding all three language models: TESSDATA_PREFIX's, else Debian's
    (/usr/share/tesseract-ocr/5/tessdata on bookworm, 4.00 on bullseye)."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    candidates = [prefix] if prefix else sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"))
    for folder in candidates:
        if all(os.path.exists(os.path.join(folder, f"{lang}.traineddata")) for lang in LANGUAGES.split("+")):
            return folder
    return None


def available() -> bool:
    """Whether OCR can run here; when not, NOTICE says what to install."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return _tessdata() is not None


# One Tesseract instance per process and languages, its models loaded once; one page at a time.
_apis: dict = {}
_api_lock = threading.Lock()


def _tesseract(languages: str):
    if languages not in _apis:
        folder = _tessdata()
        if folder is None:
            raise OcrUnavailable(NOTICE)
        try:
            import tesserocr
        except ImportError as exc:
            raise OcrUnavailable(NOTICE) from exc
        _apis[languages] = tesserocr.PyTessBaseAPI(path=folder + os.sep, lang=languages)
    return _apis[languages]


def ocr_image(image: Image.Image, languages: str = LANGUAGES) -> str:
    """The text Tesseract reads on one page image (possibly empty). Its EXIF orientation, as a
    phone photo carries, is applied first. `languages`: Tesseract's, the first leading."""
    # A 3x3 median removes a scan's dust and toner specks, which Tesseract reads as stray marks
    # and as breaks between blocks, and keeps strokes, which are wider than a speck.
    page = ImageOps.exif_transpose(image).convert("L").filter(ImageFilter.MedianFilter(3))
    dpi = image.info.get("dpi", (0, 0))[0]
    with _api_lock:
        api = _tesseract(languages)
        api.SetImage(page)
        api.SetSourceResolution(round(dpi) if dpi and dpi >= 70 else _DEFAULT_DPI)
        return api.GetUTF8Text().strip()


_BOMB_ADVICE = "(a decompression bomb, or a scan at far more than 300 dpi: scan it again at 300 dpi)"


def _refuse_bomb(size: tuple[int, int], max_pixels: int) -> None:
    if size[0] * size[1] > max_pixels:
        raise BadFile(f"an image of {size[0]}x{size[1]} pixels, more than the limit of {max_pixels:,} "
                      f"{_BOMB_ADVICE}")


def _open(data: bytes, max_pixels: int) -> Image.Image:
    # PIL only warns at MAX_IMAGE_PIXELS (and refuses at twice as many): the warning refuses here.
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise BadFile(f"an image of more than {max_pixels:,} pixels, the limit {_BOMB_ADVICE}") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise BadFile(f"not a readable image (corrupt or truncated): {exc}; export or scan it again") from exc


def ocr_images(data: bytes, suffix: str, *, max_pixels: int = MAX_PIXELS, max_pages: int = MAX_PAGES,
               progress: Progress | None = None) -> list[str]:
    """One text per page, in order, of an image file (.png .jpg .jpeg .tif .tiff; a TIFF may hold
    many pages). Raises BadFile for a bomb, a corrupt image, too many pages, and NoText when no
    page has any text."""
    if suffix.lower() not in IMAGE_SUFFIXES:
        raise BadFile(f"not an image type OCR reads: '{suffix}'; supported: {', '.join(IMAGE_SUFFIXES)}")
    if not available():
        raise OcrUnavailable(NOTICE)
    image = _open(data, max_pixels)
    total = getattr(image, "n_frames", 1)
    if total > max_pages:
        raise BadFile(f"an image file of {total} pages, more than the limit of {max_pages}; split it")
    texts = []
    for number in range(total):
        try:
            image.seek(number)
            # PIL checks the size when the file is opened, which is the first page's only.
            _refuse_bomb(image.size, max_pixels)
            image.load()
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise BadFile(f"page {number + 1} is not a readable image (corrupt or truncated): {exc}; "
                          "export or scan it again") from exc
        if progress:
            progress(number + 1, total)
        texts.append(ocr_image(image))
    if not any(texts):
        raise NoText("no text found by OCR: the image is blank, not a document, or too faint or "
                     "small to read; scan it at 300 dpi")
    return texts


def ocr_pdf_pages(data: bytes, pages: list[int], *, dpi: int = PDF_DPI, max_pixels: int = MAX_PIXELS,
                  progress: Progress | None = None) -> dict[int, str]:
    """The text OCR reads on the given pages (numbered from 1) of a PDF, each rendered at `dpi`:
    for pages without a text layer. Raises BadFile for an unreadable PDF or a page too large to
    render, and NoText when none of these pages has any text (a caller that has text from other
    pages may catch it)."""
    if not available():
        raise OcrUnavailable(NOTICE)
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise BadFile(f"not a readable PDF: {exc}") from exc
    try:
        texts = {}
        for done, number in enumerate(pages, 1):
            if not 1 <= number <= len(document):
                raise ValueError(f"page {number} of a PDF of {len(document)} pages")
            page = document[number - 1]
            width, height = page.get_size()
            # The size in points is known before rendering: a huge page is refused, not rendered.
            _refuse_bomb((round(width * dpi / 72), round(height * dpi / 72)), max_pixels)
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            image.info["dpi"] = (dpi, dpi)
            if progress:
                progress(done, len(pages))
            texts[number] = ocr_image(image)
    finally:
        document.close()
    if pages and not any(texts.values()):
        raise NoText("no text found by OCR on the scanned pages: they are blank, pictures, or too "
                     "faint or small to read; scan them at 300 dpi")
    return texts
