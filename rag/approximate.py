"""When a collection's vectors are searched approximately (FAISS IVF), and how that index is trained.

A collection of fewer than `from_chunks` vectors keeps an exact flat index. Past it, its vectors
are clustered into nlist = sqrt(n) lists (spherical k-means over inner products) and a question
scans only the `nprobe` lists nearest to it: at 1M chunks 32 lists of about 1,000 vectors instead
of a million (bench/ann_recall.py gives recall@10 against flat and the search times; docs/scaling.md
the figures behind the defaults). IVF, not HNSW: an IVF index removes ids, as every replacement of a
document does, and HNSW's recall@10 here was 0.74-0.83.

The lists are trained once, then vectors are added to and removed from them as to a flat index.
They go stale when the data drift away from what they were trained on, so a collection's index is
rebuilt (`plan`) when
- it has grown or shrunk GROWTH times since training (n outside nlist^2 / GROWTH .. nlist^2 * GROWTH:
  the lists are then GROWTH times longer or shorter than intended, and searches slower or recall lower);
- its lists have become DRIFT times as uneven as right after training (the imbalance factor,
  nlist * sum(size^2) / n^2: new vectors crowd into a few lists when they fall outside the
  trained clusters, and each question then scans more vectors for the same recall);
- it has shrunk under half of `from_chunks`: back to flat (the half keeps a collection at the
  threshold from switching back and forth).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import faiss
import numpy as np

GROWTH = 4.0
DRIFT = 2.0
FLAT = 0  # the nlist of a flat index, in a plan


@dataclass(frozen=True)
class Approximate:
    """Where the approximate index starts (chunks in one collection; None: never), and how many
    of its lists a question scans."""

    from_chunks: int | None = 50_000
    nprobe: int = 32


def flat(dimension: int) -> faiss.Index:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))


def is_approximate(part: faiss.Index) -> bool:
    return isinstance(part, faiss.IndexIVF)


def imbalance(part: faiss.IndexIVF) -> float:
    """1.0 when every list holds as many vectors, up to nlist when one holds them all."""
    return float(part.invlists.imbalance_factor()) if part.ntotal else 1.0


def lists_for(count: int) -> int:
    return max(1, round(math.sqrt(count)))


def plan(part: faiss.Index, approximate: Approximate, trained: float | None) -> int | None:
    """The nlist this collection's index should be rebuilt with (FLAT: a flat index), or None to keep
    it. `trained` is its imbalance right after training (None: unknown, taken as its imbalance now)."""
    count, start = int(part.ntotal), approximate.from_chunks
    if not is_approximate(part):
        return lists_for(count) if start is not None and count >= start else None
    if start is None or count < start / 2:
        return FLAT
    nlist = int(part.nlist)
    if not nlist * nlist / GROWTH <= count <= nlist * nlist * GROWTH:
        return lists_for(count)
    if trained is not None and imbalance(part) > DRIFT * trained:
        return lists_for(count)
    return None


def contents(part: faiss.Index) -> tuple[np.ndarray, np.ndarray]:
    """The ids and vectors a collection's index holds, flat or IVF, by increasing id."""
    if is_approximate(part):
        lists = part.invlists
        ids, rows = [], []
        for number in range(part.nlist):
            size = lists.list_size(number)
            if size:
                ids.append(faiss.rev_swig_ptr(lists.get_ids(number), size).copy())
                codes = faiss.rev_swig_ptr(lists.get_codes(number), size * lists.code_size).copy()
                # Lists of 16-bit floats (see build), or of 32-bit ones in an index written before them.
                stored = np.float16 if lists.code_size == 2 * part.d else np.float32
                rows.append(codes.view(stored).reshape(size, part.d).astype(np.float32))
        ids_ = np.concatenate(ids) if ids else np.zeros(0, np.int64)
        vectors = np.concatenate(rows) if rows else np.zeros((0, part.d), np.float32)
    else:
        ids_ = faiss.vector_to_array(part.id_map).astype(np.int64)
        vectors = part.index.reconstruct_n(0, part.ntotal) if part.ntotal else np.zeros((0, part.d), np.float32)
    order = np.argsort(ids_, kind="stable")
    return ids_[order], vectors[order]


def build(ids: np.ndarray, vectors: np.ndarray, nlist: int, nprobe: int) -> tuple[faiss.Index, float | None]:
    """A collection's index of these vectors: flat when nlist is FLAT, else IVF trained on them;
    with its imbalance right after training (None for a flat one)."""
    dimension = vectors.shape[1]
    if nlist == FLAT:
        part = flat(dimension)
        part.add_with_ids(vectors, ids)
        return part, None
    # index_factory's index owns its quantizer (one built by hand must be kept alive by the caller).
    # The lists hold each vector as 16-bit floats, not as its residual to the centroid: a question
    # scans half the bytes, about twice as fast (140k chunks, nprobe 32: 1.2-1.5 ms against 2.7 ms)
    # with the same recall@10 (cosines move by 1e-4), in half the memory (0.8 GB at 1M chunks).
    part = faiss.index_factory(dimension, f"IVF{nlist},SQfp16", faiss.METRIC_INNER_PRODUCT)
    part.by_residual = False
    part.cp.spherical = True  # centroids on the sphere, as the vectors: inner product is their cosine
    part.train(vectors)
    part.add_with_ids(vectors, ids)
    part.nprobe = nprobe
    return part, imbalance(part)
