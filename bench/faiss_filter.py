"""How to keep a dense search inside some collections, measured: one FAISS query (exact inner
product over normalised vectors, as rag/vectors.py) with no filter, with an IDSelectorBatch built
per question, with an IDSelectorBitmap kept until the index changes (rag/vectors.py's choice), and
over per-collection sub-indexes merged.

Random vectors of the model's size; the allowed collection holds `--share` of them.

    .venv/bin/python bench/faiss_filter.py [--chunks 20000 100000] [--share 0.01 0.5]
"""

from __future__ import annotations

import argparse

import faiss
import numpy as np

from _common import median, table, timed_ms

DIMENSION = 384  # multilingual-e5-small
TOP = 40  # RAG_CANDIDATES
REPEATS = 200


def figures(chunks: int, share: float) -> list[tuple[str, str]]:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((chunks, DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(1, chunks + 1, dtype=np.int64) * 3  # SQLite rowids: increasing, with gaps
    allowed = rng.random(chunks) < share
    query = vectors[7:8] + 0.01
    whole = faiss.IndexIDMap2(faiss.IndexFlatIP(DIMENSION))
    whole.add_with_ids(vectors, ids)
    parts = {}
    for name, mask in (("a", allowed), ("b", ~allowed)):
        parts[name] = faiss.IndexIDMap2(faiss.IndexFlatIP(DIMENSION))
        parts[name].add_with_ids(vectors[mask], ids[mask])
    bits = np.zeros(int(ids.max()) // 8 + 1, dtype=np.uint8)
    np.bitwise_or.at(bits, ids[allowed] >> 3, (1 << (ids[allowed] & 7)).astype(np.uint8))
    bitmap = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits))
    kept = faiss.SearchParameters(sel=bitmap)

    def plain():
        whole.search(query, TOP)

    def batch():
        selector = faiss.IDSelectorBatch(ids[allowed])
        whole.search(query, TOP, params=faiss.SearchParameters(sel=selector))

    def cached_bitmap():
        whole.search(query, TOP, params=kept)

    def sub_index():
        parts["a"].search(query, TOP)

    # Every method finds the same passages: the selector applies before ranking.
    _, expected = parts["a"].search(query, TOP)
    _, got = whole.search(query, TOP, params=kept)
    assert (np.sort(expected) == np.sort(got)).all()
    faiss.omp_set_num_threads(1)
    base = median(timed_ms(plain, REPEATS))
    rows = [(f"{chunks} chunks, {share:.0%} allowed: no filter", f"{base:.3f} ms")]
    for label, fn in (("IDSelectorBatch per question", batch), ("IDSelectorBitmap, kept", cached_bitmap),
                      ("sub-index of the allowed", sub_index)):
        ms = median(timed_ms(fn, REPEATS))
        rows.append((f"  {label}", f"{ms:.3f} ms ({ms / base:.2f}x)"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--share", type=float, nargs="+", default=[0.01, 0.5])
    args = parser.parse_args()
    rows = [row for chunks in args.chunks for share in args.share for row in figures(chunks, share)]
    print(table(rows))


if __name__ == "__main__":
    main()
