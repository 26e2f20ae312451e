"""Text analysis for lexical matching in English, Spanish and Portuguese.

Tokens are lower-cased and accent-folded, stop words dropped, then stemmed with the
Snowball stemmer of the text's language. A second, language-independent form keeps the
first letters of each token: related words across the three languages ("ministro",
"minister"; "investigação", "investigation") share it, which lets a question in one
language find a passage in another without a translation model.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer  # uses PyStemmer (Snowball in C) when it is installed, as it is with this project

LANGUAGES = ("en", "es", "pt")
_STEMMER_NAMES = {"en": "english", "es": "spanish", "pt": "portuguese"}
PREFIX_LEN = 5

_TOKEN = re.compile(r"\w+", re.UNICODE)

STOPWORDS = {
    "en": set(
        """a an the and or but if of at by for with about against between into through during before after
        above below to from up down in out on off over under again further then once here there when where why
        how all any both each few more most other some such no nor not only own same so than too very s t can
        will just don should now is are was were be been being have has had having do does did doing i me my we
        our you your he him his she her it its they them their what which who whom whose this that these those
        am would could may might must shall also as per via many much name kind
        document documents text texts appear appears mentioned mention""".split()
    ),
    "es": set(
        """el la los las un una unos unas y o u e ni de del al a en con por para sin sobre entre hasta desde
        que quien quienes cual cuales cuál cuáles qué quién quiénes cuando cuándo donde dónde como cómo cuanto
        cuánto cuántos cuántas cuánta es son fue fueron ser era eran ha han he hay se su sus lo le les me mi mis te tu
        tus nos este esta estos estas ese esa esos esas aquel aquella también muy más pero si no ya
        tiene tienen tenía tenían tuvo tuvieron está están estaba estaban estar sido será serán puede pueden
        documento documentos texto textos aparece aparecen menciona mencionado""".split()
    ),
    "pt": set(
        """o a os as um uma uns umas e ou nem de do da dos das ao aos à às em no na nos nas num numa com por
        pelo pela pelos pelas para sem sobre entre até desde que quem qual quais quando onde como quanto
        quanta quantos quantas é são foi foram ser era eram há se seu sua seus suas lhe lhes me meu minha te nos
        este esta estes estas esse essa esses essas aquele aquela também muito mais mas sim não já
        tem têm ter tinha tinham teve tiveram está estão estava estavam estar sido será serão pode podem
        documento documentos texto textos aparece aparecem menciona mencionado""".split()
    ),
}


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Ministério' -> 'ministerio'."""
    if text.isascii():  # nothing to decompose: the common case, and much the cheapest
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def _fold_token(token: str) -> str:
    return fold(token)


_FOLDED_STOPWORDS = {lang: {fold(w) for w in words} for lang, words in STOPWORDS.items()}
ALL_STOPWORDS = set().union(*_FOLDED_STOPWORDS.values())


_local = threading.local()


def _stemmer(language: str):
    """A stemmer of this thread's own: Snowball's keep their state between calls, and two request
    threads sharing one raise IndexError mid-word."""
    stemmers = _local.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(_STEMMER_NAMES.get(language, "english"))
    return stemmers[language]


def tokens(text: str) -> list[tuple[str, str]]:
    """(folded, lower-cased) word tokens, stop words of all three languages removed.

    The lower-cased form keeps its accents for the stemmers, which need them
    (Portuguese "investigações" loses "-ções" only while the cedilla is there).
    """
    return [pair for pair in map(_token_pair, _TOKEN.findall(text)) if pair is not None]


@lru_cache(maxsize=200_000)
def _token_pair(token: str) -> tuple[str, str] | None:
    """(folded, lower-cased), or None for a stop word: one cached call per token, as ingest
    analyses every chunk (the work per token in Python cost twice as much as the cache)."""
    folded = fold(token)
    return None if folded in ALL_STOPWORDS or folded == "_" else (folded, token.lower())


def words(text: str) -> list[str]:
    """Folded word tokens, stop words of all three languages removed."""
    return [folded for folded, _ in tokens(text)]


@lru_cache(maxsize=200_000)
def stem(token: str, language: str) -> str:
    """The folded stem of a lower-cased token (accents kept for the stemmer, removed after)."""
    if language == "pt" and token.endswith(("ões", "ães")):
        token = token[:-3] + "ão"  # Snowball leaves the -ão plurals apart: reuniões/reunião
    return _fold_token(_stemmer(language).stemWord(token))


def stems(text: str, language: str) -> list[str]:
    return [stem(lowered, language) for _, lowered in tokens(text)]


def prefixes(text: str) -> list[str]:
    return [t[:PREFIX_LEN] for t in words(text)]


def index_terms(text: str, language: str) -> tuple[list[str], list[str], list[str]]:
    """A chunk's stems, prefixes and words for the lexical index, from one pass over its tokens:
    ingest analyses every chunk, and tokenizing it once for each column cost two passes more."""
    pairs = tokens(text)
    folded = [f for f, _ in pairs]
    return [stem(lowered, language) for _, lowered in pairs], [t[:PREFIX_LEN] for t in folded], folded


def is_informative(token: str) -> bool:
    """Numbers and words of three or more letters carry meaning; 's', 'us', 'ii' rarely do."""
    return token.isdigit() or len(token) >= 3


# py3langid walks its sample byte by byte in Python: at ingest it was over a third of a document's
# indexing (140k chunks, hash embedder). 800 characters name the language of all 480 XQuAD
# paragraphs (en, es) and of every window of the seed and real_dev documents (en, es, pt) as 1,500
# did, in half the time; 600 took an English paragraph of Spanish names for Spanish.
DETECTION_SAMPLE = 800


class LanguageDetector:
    """Detects en/es/pt. Short questions fool statistical detectors, so stop words vote too."""

    def __init__(self) -> None:
        self._identifier = _identifier()

    def detect(self, text: str) -> str:
        sample = text[:DETECTION_SAMPLE]
        tokens = [_fold_token(m) for m in _TOKEN.findall(sample)]
        votes = {lang: sum(1 for t in tokens if t in _FOLDED_STOPWORDS[lang] and not _shared(t, lang))
                 for lang in LANGUAGES}
        ranked = dict(self._identifier.rank(sample))
        scores = {lang: ranked.get(lang, 0.0) + 0.15 * votes[lang] for lang in LANGUAGES}
        for marker, lang in (("ç", "pt"), ("ã", "pt"), ("õ", "pt"), ("ñ", "es"), ("¿", "es"), ("¡", "es")):
            if marker in sample.lower():
                scores[lang] += 0.5
        return max(scores, key=scores.get)


@lru_cache(maxsize=None)
def _identifier():
    """The langid model takes ~0.3 s to load and is read-only once loaded: load it once per process."""
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True, langs=list(LANGUAGES))


@lru_cache(maxsize=None)
def _shared(token: str, language: str) -> bool:
    """A stop word of more than one language ('a', 'de', 'no') says nothing about which."""
    return sum(1 for lang in LANGUAGES if token in _FOLDED_STOPWORDS[lang]) > 1
