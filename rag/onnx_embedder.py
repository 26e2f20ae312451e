"""The bundled model through ONNX Runtime: int8 weights, the `tokenizers` package, no torch.

Serving a question through this class imports neither torch nor transformers nor
sentence-transformers (about 4 s of a cold `rag ask`); only the one-time export does
(rag/onnx_export.py). Pooling and normalisation are sentence-transformers' own for this model: the
mean of the token vectors under the attention mask, then L2. `open_session` and `EachText` serve
multilingual-e5-small's ONNX backend too (rag/e5_onnx.py).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .embedding import Kind
from .errors import ModelUnavailable

# Measured by bench/embed_threads.py on 2 cores: one thread per session is faster than two, idle
# and with another process busy on a core, for a question and for a batch; see docs/scaling.md.
ONNX_THREADS = 1
# Texts of a batch (an ingest's) are spread over this many threads, each running one text on its one
# thread: 1.4-1.6x a batch's throughput on 2 cores (bench: serial 2.6 s, two threads 1.7-2.0 s for
# 96 paragraphs); a question, one text, stays on the caller's thread.
BATCH_WORKERS = 2


def open_session(model_file: Path, threads: int = ONNX_THREADS):
    """An ONNX Runtime session on `threads` threads, or ModelUnavailable saying what to do."""
    try:
        import onnxruntime
    except ImportError as exc:
        raise ModelUnavailable(f"the ONNX backend needs the package onnxruntime ({exc})") from exc
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, int(threads))
    options.inter_op_num_threads = 1
    try:
        return onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 — onnxruntime raises its own classes for a bad file
        raise ModelUnavailable(f"cannot load the ONNX model {model_file} ({exc}); delete its folder to "
                               "export it again") from exc


class EachText(ABC):
    """Embeds each text alone, two at once on BATCH_WORKERS threads, whatever the batch size:
    dynamic int8 scales the activations by the range of the whole input, so in a batch a text's
    vector would depend on its neighbours and their padding (a cosine of 0.99 to itself alone), and a
    file embedded on a cluster's worker would differ from the same file embedded here. Alone, it is
    as fast on this CPU: no padding. (e5's graph, rag/e5_export.py, takes one text by design.)"""

    def __init__(self, name: str, dimension: int) -> None:
        # onnxruntime's run and the tokenizer's encode may be called from several threads at once.
        self._pool = ThreadPoolExecutor(BATCH_WORKERS, thread_name_prefix="onnx-embed")
        self.name = name
        self.dimension = dimension

    def each(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        rows = map(self._encode, texts) if len(texts) < 2 else self._pool.map(self._encode, texts)
        for row, vector in enumerate(rows):
            out[row] = vector
        return out

    @abstractmethod
    def _encode(self, text: str) -> np.ndarray:
        """One text's normalised vector."""


class OnnxEmbedder(EachText):
    """A sentence-transformers BERT model (mean pooling, normalised) exported by rag/onnx_export.py."""

    def __init__(self, model_file: Path, name: str, *, threads: int = ONNX_THREADS) -> None:
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelUnavailable(f"the ONNX backend needs the package tokenizers ({exc})") from exc
        folder = model_file.parent
        config = folder / "sentence_bert_config.json"
        max_tokens = json.loads(config.read_text())["max_seq_length"] if config.exists() else 256
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # The file pads every text to 128 tokens and cuts there; the model reads up to max_seq_length.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=int(max_tokens))
        self._session = open_session(model_file, threads)
        self._inputs = {i.name for i in self._session.get_inputs()}
        super().__init__(name, int(self._session.get_outputs()[0].shape[-1]))

    def embed(self, texts: list[str], *, batch_size: int = 32, kind: Kind = "passage") -> np.ndarray:
        """Each text alone (EachText), whatever `batch_size` and `kind` (the model has no prefixes)."""
        return self.each(texts)

    def _encode(self, text: str) -> np.ndarray:
        encoding = self._tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0][0]
        pooled = hidden.mean(axis=0)  # mean pooling: every token is a real one, none is padding
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)
