"""The approximate vector index: flat below the threshold, IVF from it; changes after training; the
retraining policy; the files; collections kept apart."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from rag import vector_files
from rag.approximate import DRIFT, FLAT, GROWTH, Approximate, build, contents, imbalance, is_approximate, lists_for, plan
from rag.vectors import FaissVectors

DIMENSION = 16


def clustered(count: int, seed: int, centres: int = 24, spread: float = 0.3) -> np.ndarray:
    """Normalised vectors around a few centres, as a model's are around topics."""
    rng = np.random.default_rng(seed)
    middles = np.random.default_rng(0).standard_normal((centres, DIMENSION))
    rows = middles[rng.integers(0, centres, count)] + spread * rng.standard_normal((count, DIMENSION))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def exact(ids: np.ndarray, vectors: np.ndarray, query: np.ndarray, limit: int) -> list[int]:
    """A flat search's rows over the vectors as an IVF holds them: 16-bit floats."""
    scores = vectors.astype(np.float16).astype(np.float32) @ query
    order = sorted(range(len(ids)), key=lambda n: (-scores[n], ids[n]))
    return [int(ids[n]) for n in order[:limit]]


def test_flat_below_the_threshold_and_ivf_from_it():
    vectors = FaissVectors(DIMENSION, Approximate(from_chunks=400, nprobe=4))
    data = clustered(400, seed=1)
    assert not vectors.add("a", list(range(1, 400)), data[:399])
    assert not is_approximate(vectors.parts()["a"])
    assert vectors.add("a", [400], data[399:])  # the 400th vector: trained
    part = vectors.parts()["a"]
    assert is_approximate(part) and part.nlist == lists_for(400) == 20 and part.nprobe == 4
    assert vectors.trained()["a"] == pytest.approx(imbalance(part))
    assert sorted(contents(part)[0].tolist()) == list(range(1, 401))


def test_an_ivf_holds_its_vectors_as_16_bit_floats_and_still_reads_one_of_32_bit_floats():
    data, ids = clustered(1000, seed=21), np.arange(1000, dtype=np.int64) * 2
    part, _ = build(ids, data, 20, 20)
    assert part.code_size == 2 * DIMENSION  # half the bytes of a float32 vector
    held_ids, held = contents(part)
    assert held_ids.tolist() == ids.tolist() and np.abs(held - data).max() < 1e-3
    scores, found = part.search(data[:5], 3)
    assert found[:, 0].tolist() == ids[:5].tolist() and np.abs(scores[:, 0] - 1.0).max() < 1e-3
    # An index written by the previous version: IVF lists of float32 vectors.
    older = faiss.index_factory(DIMENSION, "IVF20,Flat", faiss.METRIC_INNER_PRODUCT)
    older.train(data)
    older.add_with_ids(data, ids)
    older_ids, older_held = contents(older)
    assert older_ids.tolist() == ids.tolist() and np.array_equal(older_held, data)


def test_never_approximate_when_no_threshold():
    vectors = FaissVectors(DIMENSION, Approximate(from_chunks=None))
    assert not vectors.add("a", list(range(5000)), clustered(5000, seed=1))
    assert not is_approximate(vectors.parts()["a"])


def test_adds_removals_and_replacements_after_training_search_as_exact():
    # Every list scanned (nprobe above nlist): the IVF must then find exactly what a flat search finds.
    vectors = FaissVectors(DIMENSION, Approximate(from_chunks=500, nprobe=4096))
    data = clustered(1600, seed=2)
    ids = np.arange(1, 1601, dtype=np.int64) * 3
    vectors.add("a", ids[:1000].tolist(), data[:1000])
    nlist = vectors.parts()["a"].nlist
    removed = ids[100:300]
    assert not vectors.remove(removed.tolist())  # a replacement: the old rows go, the new ones come
    assert not vectors.add("a", ids[1000:].tolist(), data[1000:])
    part = vectors.parts()["a"]
    assert is_approximate(part) and part.nlist == nlist  # changed, not retrained
    kept = ~np.isin(ids, removed)
    for query in clustered(20, seed=3):
        found = [row for row, _ in vectors.search(query, 10)]
        assert found == exact(ids[kept], data[kept], query, 10)
        assert not set(found) & set(removed.tolist())


def test_retrained_when_grown_by_the_factor():
    vectors = FaissVectors(DIMENSION, Approximate(from_chunks=400, nprobe=8))
    data = clustered(1700, seed=4)
    vectors.add("a", list(range(400)), data[:400])
    assert vectors.parts()["a"].nlist == 20
    limit = int(20 * 20 * GROWTH)  # 1,600: lists four times as long as at training
    assert not vectors.add("a", list(range(400, limit)), data[400:limit])
    assert vectors.add("a", list(range(limit, 1700)), data[limit:])
    assert vectors.parts()["a"].nlist == lists_for(1700) == 41


def test_retrained_when_new_vectors_crowd_into_few_lists():
    vectors = FaissVectors(DIMENSION, Approximate(from_chunks=1000, nprobe=8))
    vectors.add("a", list(range(1000)), clustered(1000, seed=5))
    trained, nlist = vectors.trained()["a"], vectors.parts()["a"].nlist
    # Drifted data: all about one new topic, far from the trained ones; the collection only doubles.
    drifted = clustered(1000, seed=6, centres=1, spread=0.05)[:, ::-1].copy()
    assert not vectors.add("a", list(range(1000, 1100)), drifted[:100])
    assert plan(vectors.parts()["a"], vectors.approximate, trained) is None
    assert vectors.add("a", list(range(1100, 2000)), drifted[100:])
    part = vectors.parts()["a"]
    assert part.nlist == lists_for(2000) != nlist
    assert imbalance(part) < DRIFT * trained  # the new lists cover the new topic
    assert sorted(contents(part)[0].tolist()) == list(range(2000))


def test_back_to_flat_under_half_the_threshold():
    vectors = FaissVectors(DIMENSION, Approximate(from_chunks=400, nprobe=8))
    vectors.add("a", list(range(600)), clustered(600, seed=7))
    assert not vectors.remove(list(range(400)))  # 200 left: still approximate, lists shorter
    assert is_approximate(vectors.parts()["a"])
    assert vectors.remove([400, 401])  # under 200
    assert not is_approximate(vectors.parts()["a"]) and "a" not in vectors.trained()
    assert plan(vectors.parts()["a"], vectors.approximate, None) is None


def test_a_lower_threshold_or_none_plans_for_the_index_as_it_is():
    part = FaissVectors(DIMENSION, Approximate(from_chunks=100))
    part.add("a", list(range(300)), clustered(300, seed=8))
    ivf = part.parts()["a"]
    assert plan(ivf, Approximate(from_chunks=None), None) == FLAT
    assert plan(ivf, Approximate(from_chunks=100), None) is None


def test_the_base_keeps_the_ivf_and_its_imbalance_at_training(tmp_path):
    vectors = FaissVectors(DIMENSION, Approximate(from_chunks=300, nprobe=8))
    vectors.add("big", list(range(1, 501)), clustered(500, seed=9))
    vectors.add("small", [1001, 1002], clustered(2, seed=10))
    vector_files.write_base(tmp_path, 0, vectors)
    read = vector_files.load(tmp_path, 0, DIMENSION, Approximate(from_chunks=300, nprobe=5))
    assert read is not None and read.trained() == vectors.trained()
    big, small = read.parts()["big"], read.parts()["small"]
    assert is_approximate(big) and big.nprobe == 5 and not is_approximate(small)
    for name in ("big", "small"):
        assert all((a == b).all() for a, b in zip(contents(read.parts()[name]), contents(vectors.parts()[name])))


def test_a_search_in_collections_stays_in_them():
    vectors = FaissVectors(DIMENSION, Approximate(from_chunks=300, nprobe=4096))
    data = clustered(800, seed=11)
    vectors.add("big", list(range(0, 1500, 3)), data[:500])
    vectors.add("other", list(range(1, 900, 3)), data[500:800])
    vectors.add("small", [2, 5], clustered(2, seed=12))
    assert [is_approximate(part) for part in vectors.parts().values()] == [True, True, False]
    for query in clustered(10, seed=13):
        assert {row % 3 for row, _ in vectors.search(query, 40, ["big"])} == {0}
        assert {row for row, _ in vectors.search(query, 40, ["small"])} == {2, 5}
        both = [row for row, _ in vectors.search(query, 40, ["other", "small"])]
        assert {row % 3 for row in both} <= {1, 2} and len(both) == 40
        assert [row for row, _ in vectors.search(query, 40, ["other"])] == exact(
            np.arange(1, 900, 3), data[500:800], query, 40)


# --- through the engine: its settings, its writer, its files ----------------------------------

WORDS = ("harbour customs ledger shipment court witness border permit vessel cargo inspector warrant "
         "archive tribunal registry convoy").split()
QUESTION = "Who built the lighthouse on Gull Point?"
ANSWER = "The lighthouse on Gull Point was built in 1874 by the engineer Margaret Holloway."


def paper(n: int, seed: int = 0) -> str:
    rng = np.random.default_rng(n * 31 + seed)
    sentences = [" ".join(rng.choice(WORDS, 12)).capitalize() + f" in case K{n:03d}{seed}." for _ in range(24)]
    return " ".join(sentences)


def test_an_index_past_the_threshold_keeps_mirroring_sqlite_through_changes(make_engine, files, check):
    settings = {"approximate_from": 100, "approximate_nprobe": 4096}
    engine = make_engine(**settings)
    engine.ingest_paths([files.text(f"big/doc{n:02d}.txt", paper(n)) for n in range(30)], collection="big")
    engine.ingest_paths([files.text("small/gull.txt", ANSWER)], collection="small")
    parts = engine.index.vectors.parts()
    assert is_approximate(parts["big"]) and not is_approximate(parts["small"])
    nlist = parts["big"].nlist
    check.consistent(engine)
    # After training: a replacement (old rows out, new ones in), a removal, an addition.
    report = engine.ingest_paths([files.text("big/doc03.txt", paper(3, seed=1)),
                                  files.text("big/doc30.txt", paper(30))], collection="big")
    assert len(report.replaced) == 1 and len(report.added) == 1
    engine.index.remove(doc_id=next(d.doc_id for d in engine.documents() if d.source.endswith("doc07.txt")))
    assert engine.index.vectors.parts()["big"].nlist == nlist
    check.consistent(engine)
    # Another process reads the IVF from the base its training wrote, and the deltas since.
    reopened = make_engine(**settings)
    assert is_approximate(reopened.index.vectors.parts()["big"])
    check.consistent(reopened)
    for version in (engine, reopened):
        answer = version.ask(QUESTION, collections=frozenset({"small"}))
        assert answer.found and all(c.source.endswith("gull.txt") for c in answer.citations)
        found = version.index.vectors.search(version.index.embedder.embed([paper(12)])[0], 5, ["big"])
        assert version.index.store.chunks([found[0][0]])[found[0][0]][1].endswith("doc12.txt")


def test_a_search_from_a_new_thread_runs_on_one_openmp_thread():
    """The service answers on worker threads, which start with OpenMP's default of a thread per core."""
    import threading

    import faiss

    vectors = FaissVectors(8)
    vectors.add("default", [1, 2], np.eye(8, dtype=np.float32)[:2])
    seen = []

    def ask():
        vectors.search(np.eye(8, dtype=np.float32)[0], 1)
        seen.append(faiss.omp_get_max_threads())

    worker = threading.Thread(target=ask)
    worker.start()
    worker.join()
    assert seen == [1]
