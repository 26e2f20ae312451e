"""Glosses: a quote in another language than the question, machine-translated beside it.

The quote stays exact (it is what the document says); the gloss helps the reader and is marked
as a machine translation wherever it is shown. A quote that cannot be translated keeps no gloss.
"""

from __future__ import annotations

import dataclasses
import logging

from .schema import Answer, Citation
from .translation import TranslationFailed, Translator

log = logging.getLogger("rag.gloss")


def add_glosses(answer: Answer, translator: Translator) -> Answer:
    """The answer with each foreign citation's gloss, and `answer_gloss` when any was made."""
    if not answer.found:
        return answer
    citations = [_glossed(c, answer.language, translator) for c in answer.citations]
    answer.citations = citations
    if any(c.gloss for c in citations):
        answer.answer_gloss = _replace_quotes(answer.answer, citations)
    return answer


def _glossed(citation: Citation, language: str, translator: Translator) -> Citation:
    if citation.language == language or not translator.supports(citation.language, language):
        return citation
    try:
        gloss = translator.translate(citation.quote, citation.language, language)
    except TranslationFailed as exc:
        log.warning("quote not glossed: %s", exc)
        return citation
    return dataclasses.replace(citation, gloss=gloss or None)


def _replace_quotes(answer: str, citations: list[Citation]) -> str:
    """The answer reads "quote [1] quote … [2]": each quote, in order, becomes its gloss."""
    out, position = [], 0
    for c in citations:
        at = answer.find(c.quote, position)
        if at < 0:  # not in the answer's text: leave the rest as it is
            break
        out.append(answer[position:at])
        out.append(c.gloss or c.quote)
        position = at + len(c.quote)
    out.append(answer[position:])
    return "".join(out)
