"""Which of a question's close sentences holds the answer, from what is known of each: its words,
its meaning, its passage.

The lexical evidence, the sentence's similarity to the question under the embedding model, the
kind of thing asked for and the passage's similarity each say something, and how much each says
depends on the others (meaning tells two sentences apart best where words cannot). A conditional
logit weighs them: each sentence's share of the probability that it is the one holding the answer.
It was fitted on XQuAD articles 0-23 (en/en and es/es, e5-small, the 10 best sentences by words of
each question, labelled by whether they hold the gold answer), never on articles 24-47: the
weights below are its output (`bench/fit_likelihood.py` fits them again). A cosine's scale is the
model's own, so the weights hold for e5 only: with another model, sentences join an answer on words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from . import answer_types as types
from .query import Query
from .selection import Scored

# score, score's gap to the best, similarity, similarity's gap to the most similar, lexical evidence,
# holds the asked kind, passage similarity's gap to the closest passage, 1 / (1 + passage rank),
# similarity gap × kind, score gap × kind, similarity gap × the question asks no particular kind.
# (The lexical score weighs little beside the evidence, which reads the same shared words.)
_WEIGHTS = (0.024, 0.019, 10.203, 10.031, 6.987, 1.911, 33.608, 0.868, 6.0, -0.627, -2.314)


def features(query: Query, contenders: Sequence[Scored], similarities: Sequence[float]) -> list[tuple[float, ...]]:
    """What the likelihood reads of each contender of one question, in the order of `_WEIGHTS`."""
    top_score = max(s.score for s in contenders)
    top_similarity = max(similarities)
    top_passage = max(s.hit.dense_score or 0.0 for s in contenders)
    untyped = float(query.expect is types.Expect.OTHER)
    out = []
    for s, similarity in zip(contenders, similarities):
        score_gap, similarity_gap, fits = s.score - top_score, similarity - top_similarity, float(s.fits)
        out.append((s.score, score_gap, similarity, similarity_gap, s.evidence, fits,
                    (s.hit.dense_score or 0.0) - top_passage, 1.0 / (1 + s.rank),
                    similarity_gap * fits, score_gap * fits, similarity_gap * untyped))
    return out


def answer_likelihood(query: Query, contenders: Sequence[Scored], similarities: Sequence[float]) -> list[float]:
    """For contenders of one question, the probability that each is the one holding the answer."""
    logits = [sum(w * x for w, x in zip(_WEIGHTS, row)) for row in features(query, contenders, similarities)]
    top = max(logits)
    shares = [math.exp(z - top) for z in logits]
    return [share / sum(shares) for share in shares]
