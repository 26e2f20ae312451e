"""Dates in a translation, written as its reader writes them.

Numbers reach Apertium as superblanks (kept whole), which leaves its date rules with only the
month: "6 de octubre de 1973" came out "The 6 of October of 1973" and "March 3" "Marcha 3".
A date is therefore rewritten in the target language's own order before translation and
handed over whole: "October 6, 1973" (English, as the US writes it), "6 de octubre de 1973"
(Spanish), "6 de outubro de 1973" (Portuguese). Decades too: "the 1950s" is "la década de 1950"
and "a década de 1950". A year ending in 00 may name a century ("the 1500s"), so it is left alone.
The word that puts a day in time goes with it ("on", "el", "em"): Apertium, seeing no noun after
it, made "On March 3" "Encima 3 de marzo".
"""

from __future__ import annotations

import re

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
           "outubro", "novembro", "dezembro"),
}
_OTHER_SPELLINGS = {"es": {"setiembre": 9}}  # as the Southern Cone spells it


def _month_names(language: str) -> dict[str, int]:
    names = {name.lower(): n for n, name in enumerate(MONTHS[language], start=1)}
    return names | _OTHER_SPELLINGS.get(language, {})


_NUMBER = {language: _month_names(language) for language in MONTHS}
_ORDINAL = r"(?:st|nd|rd|th)?"


def _alternation(language: str) -> str:
    return "|".join(sorted(_NUMBER[language], key=len, reverse=True))


# English months are capitalised ("may" is a verb); Spanish and Portuguese ones usually are not.
_EN = "(?-i:" + "|".join(MONTHS["en"]) + ")"
_ON = {"en": "on", "es": "el", "pt": "em"}  # "on March 3", "el 3 de marzo", "em 3 de março"
_PATTERNS = {
    "en": [re.compile(p, re.IGNORECASE) for p in (
        rf"(?:\b(?P<on>on)\s+)?\b(?P<m>{_EN})\s+(?P<d>\d{{1,2}}){_ORDINAL},?\s+(?P<y>\d{{3,4}})\b",
        rf"(?:\b(?P<on>on)\s+)?\b(?P<d>\d{{1,2}}){_ORDINAL}\s+(?P<m>{_EN}),?\s+(?P<y>\d{{3,4}})\b",
        rf"(?:\b(?P<on>on)\s+)?\b(?P<m>{_EN})\s+(?P<d>\d{{1,2}}){_ORDINAL}\b(?![.,]?\d)",
        rf"(?:\b(?P<on>on)\s+)?\b(?P<d>\d{{1,2}}){_ORDINAL}\s+(?P<m>{_EN})\b",
        rf"\b(?P<m>{_EN}),?\s+(?P<y>\d{{3,4}})\b",
    )],
    **{language: [re.compile(p, re.IGNORECASE) for p in (
        rf"(?:\b(?P<on>{_ON[language]})\s+)?"
        rf"\b(?P<d>\d{{1,2}})\s+de\s+(?P<m>{_alternation(language)})(?:\s+de(?:l)?\s+(?P<y>\d{{3,4}}))?\b",
        rf"\b(?P<m>{_alternation(language)})\s+de(?:l)?\s+(?P<y>\d{{3,4}})\b",
    )] for language in ("es", "pt")},
}


_DECADE = r"(?P<decade>\d{2}[1-9]0)"
_DECADES = {"en": re.compile(rf"\b(?:the\s+)?{_DECADE}s\b", re.IGNORECASE),
            "es": re.compile(rf"\b(?:la\s+)?década\s+de(?:l)?\s+{_DECADE}\b", re.IGNORECASE),
            "pt": re.compile(rf"\b(?:a\s+)?década\s+de\s+{_DECADE}\b", re.IGNORECASE)}
_DECADE_WRITTEN = {"en": "the {}s", "es": "la década de {}", "pt": "a década de {}"}


def date_rewrites(text: str, source: str, target: str) -> list[tuple[int, int, str]]:
    """(start, end, the date as `target` writes it) for each date of `text` in `source`; none
    when either language is not one of en/es/pt or both are."""
    if source == target or source not in _PATTERNS or target not in MONTHS:
        return []
    found: list[tuple[int, int, str]] = []
    for pattern in [*_PATTERNS[source], _DECADES[source]]:  # the fullest forms first: a shorter one never splits a date
        for m in pattern.finditer(text):
            if any(start < m.end() and m.start() < end for start, end, _ in found):
                continue
            parts = m.groupdict()
            if parts.get("decade"):
                found.append((m.start(), m.end(), _DECADE_WRITTEN[target].format(parts["decade"])))
                continue
            month = _NUMBER[source][parts["m"].lower()]
            written = _written(target, month, parts.get("d"), parts.get("y"))
            if parts.get("on"):
                on = _ON[target]
                written = f"{on.capitalize() if parts['on'][0].isupper() else on} {written}"
            found.append((m.start(), m.end(), written))
    return sorted(found)


def _written(language: str, month: int, day: str | None, year: str | None) -> str:
    name = MONTHS[language][month - 1]
    if language == "en":
        return f"{name} {int(day)}, {year}" if day and year else f"{name} {int(day)}" if day else f"{name} {year}"
    parts = [f"{int(day)} de {name}"] if day else [name]
    return " de ".join(parts + ([year] if year else []))
