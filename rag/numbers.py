"""Numbers in a translation, written as its reader writes them.

Apertium carries digits through untouched, so "16,000" reaches a Spanish reader, who reads
sixteen, and "56,2 %" reaches an English one. Each language's convention:
- English groups thousands with a comma and writes a decimal point: 16,000; 56.2%.
- Spanish (RAE) groups with a space from five digits on, writes a decimal comma and parts the
  percent sign from its number: 16 000; 56,2 %.
- Brazilian Portuguese groups with a point and writes a decimal comma: 16.000; 56,2%.
Spanish as written in much of Latin America groups with a point or a comma too, so a Spanish
"1.500" or "1,500" could be either reading: such numbers are left as they are.
Ordinals too: "21st" is "21.º" in Spanish and "21º" in Portuguese (masculine, the commoner
reading), and back. The degree sign is never read as one: "30 °C" stays a temperature.
"""

from __future__ import annotations

import re

_END = r"(?![\w]|[.,]\d)"  # not inside a longer number, a version or an address
_ENGLISH = re.compile(rf"(?<![\w.,])(\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(\d+))?{_END}")
_SPACES = " \u00a0\u202f"
_LOCAL = {"es": re.compile(rf"(?<![\w.,])(\d{{1,3}}(?:[{_SPACES}]\d{{3}})+|\d+)(?:,(\d+))?{_END}"),
          "pt": re.compile(rf"(?<![\w.,])(\d{{1,3}}(?:[.{_SPACES}]\d{{3}})+|\d+)(?:,(\d+))?{_END}")}
_THOUSANDS = {"es": " ", "pt": ".", "en": ","}
_ENGLISH_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_LOCAL_ORDINAL = re.compile(r"\b(\d+)\.?([ºª])")
_ORDINAL_MARK = {"es": ".º", "pt": "º"}
_DECIMAL = {"es": ",", "pt": ",", "en": "."}


def localize_numbers(text: str, target: str, source: str = "en") -> str:
    """`text`, translated from `source` into `target`, with its numbers written the target's way:
    16,000 -> 16 000 (es) or 16.000 (pt); 56,2 % -> 56.2% (en). Between Spanish and Portuguese,
    both with the decimal comma, numbers stay as they are."""
    if source == "en" and target in _LOCAL:
        text = _ENGLISH.sub(lambda m: _written(m, target, grouped="," in m.group(1)), text)
        text = _ENGLISH_ORDINAL.sub(lambda m: m.group(1) + _ORDINAL_MARK[target], text)
        return re.sub(r"(?<=\d)%", " %", text) if target == "es" else text
    if target == "en" and source in _LOCAL:
        text = _LOCAL[source].sub(lambda m: _from_local(m, source), text)
        text = _LOCAL_ORDINAL.sub(lambda m: m.group(1) + _english_suffix(int(m.group(1))), text)
        return re.sub(rf"(?<=\d)[{_SPACES}]%", "%", text)
    return text


def _from_local(m: re.Match, source: str) -> str:
    decimals, grouped = m.group(2), bool(re.search(r"\D", m.group(1)))
    if source == "es" and decimals is not None and len(decimals) == 3 and not grouped:
        return m.group(0)  # "1,500": a thousand and a half in Mexico, one and a half in Spain
    return _written(m, "en", grouped=grouped)


def _written(m: re.Match, target: str, *, grouped: bool) -> str:
    """The number matched (whole part, decimals) in `target`'s convention. A Spanish number is
    grouped from five digits on; others keep their source's grouping."""
    digits, decimals = re.sub(r"\D", "", m.group(1)), m.group(2)
    if grouped and (len(digits) >= 5 or target != "es"):
        digits = _THOUSANDS[target].join(digits[max(0, i - 3):i] for i in range(len(digits), 0, -3)[::-1])
    return digits + (_DECIMAL[target] + decimals if decimals else "")


def _english_suffix(n: int) -> str:
    if n % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
