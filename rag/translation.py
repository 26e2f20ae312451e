"""Machine translation between English, Spanish and Portuguese, behind the `Translator` protocol.

Used twice: a question is searched in the languages of the documents too, and a quote in
another language than the question gets a gloss shown beside it (never in its place).
Apertium (Debian) has eng-spa and es-pt; Portuguese and English meet through Spanish.
Names, acronyms, numbers and quotations pass through untouched: "Kindred Healthcare" is a
company, not "Parentela Healthcare".
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Protocol, runtime_checkable

from . import apertium
from .analysis import ALL_STOPWORDS, fold
from .apertium import INSTALL_COMMAND, TranslationFailed

log = logging.getLogger("rag.translation")

__all__ = ["ApertiumTranslator", "NoTranslator", "Translator", "TranslationFailed", "load_translator"]

# Each language's morphological analyser is the first stage of a pair leaving it.
ANALYSERS = {"en": "eng-spa", "es": "spa-eng", "pt": "pt-es"}
ROUTES: dict[tuple[str, str], tuple[str, ...]] = {
    ("es", "en"): ("spa-eng",), ("en", "es"): ("eng-spa",),
    ("pt", "es"): ("pt-es",), ("es", "pt"): ("es-pt",),
    ("pt", "en"): ("pt-es", "spa-eng"), ("en", "pt"): ("eng-spa", "es-pt"),
}
MAX_CHARS = 16_000  # far beyond a question or a quote; keeps one segment within the pipes' buffers

_UPPER = "A-ZÁÉÍÓÚÑÇÂÊÔÃÕÀÜ"
# Kept whole wherever they occur: quotations, anything with a digit (26.364, 2019-2022,
# TRACK4TIP), acronyms.
_VERBATIM = re.compile(r"“[^”\n]{1,300}”|«[^»\n]{1,300}»|\"[^\"\n]{1,300}\""
                       rf"|\b[\w.,/:-]*\d[\w.,/:-]*\w|\b\d\b|\b[{_UPPER}]{{2,}}s?\b")
_CAPITALISED = re.compile(rf"\b[{_UPPER}][\w’'-]*")
_JOINER = re.compile(r"\s+(?:(?:de|del|da|do|dos|das|la|las|los|of|the)\s+)?")
_SENTENCE_START = re.compile(r"(?:^|[.!?¿¡:;]\s*|\n)[\"'“«(¿¡]*$")


@runtime_checkable
class Translator(Protocol):
    def supports(self, source: str, target: str) -> bool:
        """Whether text can be translated from `source` to `target` here."""
        ...

    def translate(self, text: str, source: str, target: str) -> str:
        """The text in `target`; raises TranslationFailed when the translation cannot be had."""
        ...

    def close(self) -> None:
        """Stops whatever the translator runs."""
        ...


class NoTranslator:
    """Translation off: nothing is supported, and the reason is kept to be said once."""

    def __init__(self, reason: str = "translation is off") -> None:
        self.reason = reason

    def supports(self, source: str, target: str) -> bool:
        return False

    def translate(self, text: str, source: str, target: str) -> str:
        raise TranslationFailed(self.reason)

    def close(self) -> None:
        pass


class ApertiumTranslator:
    def __init__(self, *, timeout: float = 5.0, modes_dir=apertium.MODES_DIR) -> None:
        self.timeout = timeout
        self.modes_dir = modes_dir
        self._pipelines = {mode: apertium.Pipeline(mode, timeout=timeout, modes_dir=modes_dir)
                           for mode in sorted({m for route in ROUTES.values() for m in route})
                           if apertium.is_installed([mode], modes_dir)}
        self._analysers = {language: apertium.Pipeline(mode, timeout=timeout, modes_dir=modes_dir, stages=1)
                           for language, mode in ANALYSERS.items() if mode in self._pipelines}
        self._cached = lru_cache(maxsize=4096)(self._translate)

    @property
    def available(self) -> bool:
        return bool(self._pipelines)

    def supports(self, source: str, target: str) -> bool:
        route = ROUTES.get((source, target))
        return route is not None and all(mode in self._pipelines for mode in route)

    def translate(self, text: str, source: str, target: str) -> str:
        if not self.supports(source, target):
            raise TranslationFailed(f"no Apertium pair installed for {source}->{target}; install it with: "
                                    f"{INSTALL_COMMAND}")
        if len(text) > MAX_CHARS:
            raise TranslationFailed(f"text of {len(text)} characters; at most {MAX_CHARS} are translated")
        return self._cached(text, source, target)

    def _translate(self, text: str, source: str, target: str) -> str:
        stream = protect(text, self._unknown(text, source))
        for mode in ROUTES[(source, target)]:
            stream = self._pipelines[mode].translate(stream)
        text = re.sub(r"[ \t]{2,}", " ", apertium.unescape(stream)).strip()
        return localize_numbers(text, target) if source == "en" else text

    def _unknown(self, text: str, language: str) -> set[str] | None:
        """Words of `text` Apertium's dictionaries lack: proper names. None when that cannot be told."""
        try:
            return apertium.unknown_words(self._analysers[language].translate(apertium.escape(text)))
        except (KeyError, TranslationFailed):
            return None

    def close(self) -> None:
        for pipeline in [*self._pipelines.values(), *self._analysers.values()]:
            pipeline.close()


def protect(text: str, unknown: set[str] | None = None) -> str:
    """The text in Apertium's stream format, with names, acronyms, numbers and quotations as superblanks.

    `unknown` holds the words Apertium's dictionaries lack; None when that is not known.
    """
    spans = [m.span() for m in _VERBATIM.finditer(text)] + _name_runs(text, unknown)
    out, last = [], 0
    for start, end in _merged(spans):
        out.append(apertium.escape(text[last:start]))
        out.append(apertium.superblank(text[start:end]))
        last = end
    out.append(apertium.escape(text[last:]))
    return "".join(out)


def _name_runs(text: str, unknown: set[str] | None) -> list[tuple[int, int]]:
    """Two or more capitalised words in a row that hold a word the dictionaries lack: a name
    ("Kindred Healthcare", "Tren de Aragua", "Gaby Coca"). A run of dictionary words is a name
    that translates ("Ministerio Público", "Teatro de Verano", "Saxon Garden"). Without the
    dictionaries' word, every run is kept whole. A sentence's first word may be capitalised by
    position alone: "El", "Quién" never start a run."""
    runs: list[list[re.Match]] = []
    for m in _CAPITALISED.finditer(text):
        if runs and _JOINER.fullmatch(text[runs[-1][-1].end():m.start()]):
            runs[-1].append(m)
        elif fold(m.group(0)) not in ALL_STOPWORDS or not _SENTENCE_START.search(text[:m.start()]):
            runs.append([m])
    return [(run[0].start(), run[-1].end()) for run in runs
            if len(run) >= 2 and (unknown is None or any(m.group(0) in unknown for m in run))]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


_ENGLISH_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w]|[.,]\d)")
# Spanish (RAE) groups thousands with a space from five digits on; Brazilian Portuguese with a
# point. Both write the decimal comma.
_THOUSANDS = {"es": " ", "pt": "."}


def localize_numbers(text: str, target: str) -> str:
    """English digits as a Spanish or Portuguese reader writes them: 16,000 -> 16 000; 56.2 -> 56,2.
    A Spanish reader takes "16,000" for sixteen."""
    if target not in _THOUSANDS:
        return text

    def local(m: re.Match) -> str:
        whole, decimals = m.group(1), m.group(2) or ""
        digits = whole.replace(",", "")
        if "," in whole and (len(digits) >= 5 or target == "pt"):
            groups = [digits[max(0, i - 3):i] for i in range(len(digits), 0, -3)][::-1]
            whole = _THOUSANDS[target].join(groups)
        else:
            whole = digits
        return whole + ("," + decimals[1:] if decimals else "")

    return _ENGLISH_NUMBER.sub(local, text)


def load_translator(setting: str, *, modes_dir=apertium.MODES_DIR) -> ApertiumTranslator | NoTranslator:
    """'apertium' (default) when installed, else translation off with the reason to say once."""
    if setting == "off":
        return NoTranslator("translation is off (RAG_TRANSLATION=off)")
    translator = ApertiumTranslator(modes_dir=modes_dir)
    if not translator.available:
        return NoTranslator(f"translation is off: Apertium is not installed; install it with: {INSTALL_COMMAND}")
    missing = [pair for pair in ROUTES if not translator.supports(*pair)]
    if missing:
        log.warning("translation: Apertium lacks %s; install them with: %s",
                    ", ".join(f"{s}->{t}" for s, t in missing), INSTALL_COMMAND)
    return translator
