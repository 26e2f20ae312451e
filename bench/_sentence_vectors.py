"""Vectors of the real model for synthetic chunks of XQuAD sentences, at the cost of a lookup.

Embedding a million chunks with multilingual-e5-small takes days on this machine, and the benches
of the approximate index need that many. Every synthetic chunk (bench/index_scale.py's documents)
is made of XQuAD sentences: each distinct sentence is embedded once by the real model, and a chunk's
vector is the normalised sum of the vectors of the sentences it holds, whole or cut at its edges.
The vectors are the real model's, their mixture is a stand-in for embedding the chunk whole.

The sentences' vectors are kept in the temporary folder between runs (named by the model and a hash
of the sentences): the first run spends about 3-10 minutes embedding them.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import tempfile
from pathlib import Path

import numpy as np

from _common import XQUAD
from index_scale import SENTENCES_PER_DOCUMENT, xquad
from rag.embedding import Embedder, Kind
from rag.parsing import Parsed

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
EDGE = 24  # characters that name a sentence cut at a chunk's edge


def topical_documents(target: int, step: int) -> list[Parsed]:
    """Documents of one subject each: shuffled sentences of one XQuAD article (English and Spanish
    alternately), until they make about `target` chunks. Real documents keep to a subject; those of
    bench/index_scale.py mix sentences of every article, which no real collection does."""
    chance = random.Random(15)
    articles = [[s for p in article["paragraphs"] for s in SENTENCE_END.split(p["context"]) if len(s) > 20]
                for language in ("en", "es")
                for article in json.loads(XQUAD.with_name(f"xquad.{language}.json").read_text("utf-8"))["data"]]
    out, made = [], 0
    while made < target:
        pool = articles[chance.randrange(len(articles))]
        text = " ".join(chance.choice(pool) for _ in range(SENTENCES_PER_DOCUMENT))
        out.append(Parsed(f"doc{len(out):06d}.txt", "txt", text))
        made += max(1, round(len(text) / step))
    return out


def sentences() -> list[str]:
    """XQuAD's distinct sentences, English and Spanish, in a fixed order."""
    return sorted(set(xquad("en")[0]) | set(xquad("es")[0]))


def sentence_vectors(model: Embedder, texts: list[str]) -> np.ndarray:
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    cached = Path(tempfile.gettempdir()) / f"rag-bench-sentences-{model.name}-{digest}.npy"
    if cached.exists():
        return np.load(cached)
    vectors = model.embed(texts, kind="passage")
    np.save(cached, vectors)
    return vectors


class SentenceSumEmbedder:
    """Passages: the normalised sum of their sentences' vectors. Questions: the real model itself."""

    def __init__(self, model: Embedder) -> None:
        self.model = model
        self.name = model.name
        self.dimension = model.dimension
        texts = sentences()
        self.vectors = sentence_vectors(model, texts)
        self.whole = {text: n for n, text in enumerate(texts)}
        self.starts = {text[:EDGE]: n for n, text in enumerate(texts)}
        self.ends = {text[-EDGE:]: n for n, text in enumerate(texts)}
        self.embedded_whole = 0  # chunks with no sentence found, embedded by the model

    def _rows(self, text: str) -> list[int]:
        pieces = SENTENCE_END.split(text)
        rows = []
        for n, piece in enumerate(pieces):
            row = self.whole.get(piece)
            if row is None and n == 0 and len(piece) >= EDGE:  # the end of a sentence cut before the chunk
                row = self.ends.get(piece[-EDGE:])
            if row is None and n == len(pieces) - 1 and len(piece) >= EDGE:  # the start of one cut after it
                row = self.starts.get(piece[:EDGE])
            if row is not None:
                rows.append(row)
        return rows

    def embed(self, texts: list[str], *, batch_size: int = 32, kind: Kind = "passage") -> np.ndarray:
        if kind == "query":
            return self.model.embed(texts, batch_size=batch_size, kind=kind)
        out = np.zeros((len(texts), self.dimension), np.float32)
        for n, text in enumerate(texts):
            rows = self._rows(text)
            if rows:
                out[n] = self.vectors[rows].sum(axis=0)
            else:
                out[n] = self.model.embed([text])[0]
                self.embedded_whole += 1
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def real_model(name: str | None = None) -> Embedder:
    """A real model as the service loads it (its default backend): the default model unless named,
    e.g. 'all-MiniLM-L6-v2' for the fast path (ONNX int8)."""
    from rag.embedding import load_embedder
    from rag.settings import Settings

    settings = Settings()
    return load_embedder(name or settings.embedding_model, settings.embedding_backend, settings.onnx_cache_dir)
