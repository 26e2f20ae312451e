"""Scanned-looking pages made on the spot: known text in English, Spanish and Portuguese.

Shared by the OCR tests and benches (and whoever tests OCR wired into file loading). A page is
the text drawn at 200 dpi in DejaVu Sans (Debian's fonts-dejavu-core), turned by about a degree
and speckled with mild noise, as a flatbed scan of a printed page would be; the same random seed
gives the same pixels. `cer` scores what OCR read against the text drawn.
"""

from __future__ import annotations

import io
import random
import textwrap
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DPI = 200

TEXTS = {
    "en": (
        "The prosecutor's office received three complaints about a recruitment agency that "
        "promised domestic work abroad. The victims, aged between 17 and 24, were moved through "
        "two border crossings; their passports were kept by the employer. Payments of 1,200 "
        "dollars were made to an account opened on 14 March 2023."),
    "es": (
        "La fiscalía especializada recibió tres denuncias contra una agencia de contratación "
        "que ofrecía empleo doméstico en el extranjero. Las víctimas, de entre 17 y 24 años, "
        "cruzaron la frontera por Cúcuta; el empleador retuvo sus pasaportes. Según la "
        "investigación, se pagó una «deuda» de 1.200 dólares mediante transferencias bancarias."),
    "pt": (
        "O Ministério Público recebeu três denúncias contra uma agência de recrutamento que "
        "prometia trabalho doméstico no exterior. As vítimas, com idades entre 17 e 24 anos, "
        "atravessaram a fronteira em Foz do Iguaçu; o empregador reteve os passaportes. A "
        "investigação apurou pagamentos de 1.200 reais em nome de uma associação beneficente."),
}


def render(text: str, *, seed: int = 0, rotate: float = 1.0, noise: float = 0.004,
           width_inches: float = 8.27, dpi: int = DPI) -> Image.Image:
    """A greyscale page: text at 12 pt with one-inch margins, rotated `rotate` degrees, a share
    `noise` of its pixels flipped to random greys (dust, toner specks)."""
    rng = random.Random(seed)
    font = ImageFont.truetype(FONT, round(12 * dpi / 72))
    margin = dpi
    chars_per_line = int((width_inches * dpi - 2 * margin) / font.getlength("n"))
    lines = [line for paragraph in text.split("\n")
             for line in textwrap.wrap(paragraph, chars_per_line) or [""]]
    line_height = round(font.size * 1.5)
    page = Image.new("L", (round(width_inches * dpi), 2 * margin + line_height * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text((margin, margin + number * line_height), line, font=font, fill=20)
    page = page.rotate(rotate, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    pixels = page.load()
    for _ in range(int(noise * page.width * page.height)):
        pixels[rng.randrange(page.width), rng.randrange(page.height)] = rng.randrange(256)
    return page


def blank(width: int = 1654, height: int = 2339) -> Image.Image:
    return Image.new("L", (width, height), 255)


def png(page: Image.Image) -> bytes:
    out = io.BytesIO()
    page.save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()


def tiff(pages: list[Image.Image]) -> bytes:
    out = io.BytesIO()
    # Copies: Pillow leaves a PNG save's encoder settings on the image, which a TIFF save then misuses.
    pages = [page.copy() for page in pages]
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw",
                  dpi=(DPI, DPI))
    return out.getvalue()


def pdf(pages: list[Image.Image]) -> bytes:
    """A PDF of page images only: no text layer, as a scanner makes."""
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=DPI)
    return out.getvalue()


def normalise(text: str) -> str:
    """NFC, whitespace collapsed: line breaks and hyphenation are layout, not reading errors."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(truth: str, read: str) -> float:
    """Character error rate: edits (Levenshtein) from the text drawn to the text read, per
    character drawn, both normalised."""
    a, b = normalise(truth), normalise(read)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(len(a), 1)


def pixel_bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG of a few hundred bytes whose header claims width x height pixels (10 billion by
    default): only its header is written, as a hostile one would be."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


def corrupt(data: bytes) -> bytes:
    """The file with its second half overwritten by garbage, as a broken download or disk gives."""
    half = len(data) // 2
    return data[:half] + bytes((b * 7 + 13) % 256 for b in data[half:])
