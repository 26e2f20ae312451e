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
from typing import Protocol, runtime_checkable

from . import apertium
from .analysis import ALL_STOPWORDS, fold
from .apertium import INSTALL_COMMAND, TranslationFailed
from .dates import date_rewrites
from .numbers import localize_numbers
from .recent import Recent

log = logging.getLogger("rag.translation")

__all__ = ["ApertiumTranslator", "NoTranslator", "Translator", "TranslationFailed", "load_translator"]

# Each language's morphological analyser is the first stage of a pair leaving it.
ANALYSERS = {"en": "eng-spa", "es": "spa-eng", "pt": "pt-es"}
ROUTES: dict[tuple[str, str], tuple[str, ...]] = {
    ("es", "en"): ("spa-eng",), ("en", "es"): ("eng-spa",),
    ("pt", "es"): ("pt-es",), ("es", "pt"): ("es-pt",),
    ("pt", "en"): ("pt-es", "spa-eng"), ("en", "pt"): ("eng-spa", "es-pt"),
}
MAX_CHARS = 16_000  # far beyond a question or a quote
RECENT = 4096  # translations kept: the same sentences are read again by the next questions

_UPPER = "A-ZÁÉÍÓÚÑÇÂÊÔÃÕÀÜ"
# Kept whole wherever they occur: quotations, anything with a digit (26.364, 2019-2022,
# TRACK4TIP), acronyms, initials ("T. T. Tsui", "Y. pestis": Apertium reads "Y." as "and").
_VERBATIM = re.compile(r"“[^”\n]{1,300}”|«[^»\n]{1,300}»|\"[^\"\n]{1,300}\""
                       rf"|\b[\w.,/:-]*\d[\w.,/:-]*\w|\b\d\b|\b[{_UPPER}]{{2,}}s?\b"
                       rf"|\b[{_UPPER}]\.(?:\s?[{_UPPER}a-z]\.)*(?=\s[\w{_UPPER}])")
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

    def translate_many(self, texts: list[str], source: str, target: str) -> list[str]:
        """Each text in `target`, at once (cheaper than one by one); raises TranslationFailed when
        any cannot be had."""
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

    def translate_many(self, texts: list[str], source: str, target: str) -> list[str]:
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
        self._recent: Recent[tuple[str, str, str], str] = Recent(RECENT)

    @property
    def available(self) -> bool:
        return bool(self._pipelines)

    def supports(self, source: str, target: str) -> bool:
        route = ROUTES.get((source, target))
        return route is not None and all(mode in self._pipelines for mode in route)

    def translate(self, text: str, source: str, target: str) -> str:
        return self.translate_many([text], source, target)[0]

    def translate_many(self, texts: list[str], source: str, target: str) -> list[str]:
        if not self.supports(source, target):
            raise TranslationFailed(f"no Apertium pair installed for {source}->{target}; install it with: "
                                    f"{INSTALL_COMMAND}")
        if (longest := max((len(text) for text in texts), default=0)) > MAX_CHARS:
            raise TranslationFailed(f"text of {longest} characters; at most {MAX_CHARS} are translated")
        return self._recent.values([(text, source, target) for text in texts],
                                   lambda missing: self._translate([text for text, _, _ in missing], source, target))

    def _translate(self, texts: list[str], source: str, target: str) -> list[str]:
        streams = [protect(text, names, date_rewrites(text, source, target))
                   for text, names in zip(texts, self._names(texts, source))]
        for mode in ROUTES[(source, target)]:
            streams = self._pipelines[mode].translate_many(streams)
        return [localize_numbers(re.sub(r"[ \t]{2,}", " ", apertium.unescape(stream)).strip(), target, source)
                for stream in streams]

    def _names(self, texts: list[str], language: str) -> list[set[str] | None]:
        """Words of each text that are names: those Apertium's dictionaries lack, and those they know
        as a person's ("Kurt Coleman", which Apertium would part around a moved genitive). None when
        that cannot be told."""
        try:
            analyses = self._analysers[language].translate_many([apertium.escape(text) for text in texts])
        except (KeyError, TranslationFailed):
            return [None] * len(texts)
        return [apertium.unknown_words(analysis) | apertium.person_names(analysis) for analysis in analyses]

    def close(self) -> None:
        for pipeline in [*self._pipelines.values(), *self._analysers.values()]:
            pipeline.close()


def protect(text: str, names: set[str] | None = None, rewrites: list[tuple[int, int, str]] = ()) -> str:
    """The text in Apertium's stream format, with names, acronyms, numbers and quotations as superblanks.

    `names` holds the words that are names (unknown to Apertium's dictionaries, or a person's);
    None when that is not known. `rewrites` are (start, end, text already in the target language):
    dates, handed over as superblanks of their rewritten form.
    """
    rewritten = {start: (end, new) for start, end, new in rewrites}
    spans = [m.span() for m in _VERBATIM.finditer(text)] + _name_runs(text, names)
    spans = [s for s in spans if not any(s[0] < end and start < s[1] for start, (end, _) in rewritten.items())]
    out, last = [], 0
    for start, end in _merged(spans + [(start, end) for start, (end, _) in rewritten.items()]):
        out.append(apertium.escape(text[last:start]))
        out.append(apertium.superblank(rewritten[start][1] if start in rewritten else text[start:end]))
        last = end
    out.append(apertium.escape(text[last:]))
    return "".join(out)


def _name_runs(text: str, names: set[str] | None) -> list[tuple[int, int]]:
    """Two or more capitalised words in a row that hold a name: a word the dictionaries lack or a
    person's ("Kindred Healthcare", "Tren de Aragua", "Gaby Coca", "Kurt Coleman"). A run of
    other dictionary words is a name that translates ("Ministerio Público", "Teatro de Verano",
    "Saxon Garden"). Without the dictionaries' word, every run is kept whole. A sentence's first word may be capitalised by
    position alone: "El", "Quién" never start a run."""
    runs: list[list[re.Match]] = []
    for m in _CAPITALISED.finditer(text):
        if runs and _JOINER.fullmatch(text[runs[-1][-1].end():m.start()]):
            runs[-1].append(m)
        elif fold(m.group(0)) not in ALL_STOPWORDS or not _SENTENCE_START.search(text[:m.start()]):
            runs.append([m])
    return [(run[0].start(), run[-1].end()) for run in runs
            if len(run) >= 2 and (names is None or any(m.group(0) in names for m in run))]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


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
