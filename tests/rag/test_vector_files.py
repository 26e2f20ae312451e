"""The vectors' files read back: a base streamed into FAISS gives the index that was written, flat
or IVF, with its deltas; a damaged base is unreadable (the index is then rebuilt from SQLite)."""

import faiss
import numpy as np
import pytest

from rag import vector_files
from rag.approximate import Approximate, is_approximate
from rag.vectors import FaissVectors

DIMENSION = 16


def vectors_of(count: int, seed: int) -> np.ndarray:
    values = np.random.default_rng(seed).normal(size=(count, DIMENSION)).astype(np.float32)
    return values / np.linalg.norm(values, axis=1, keepdims=True)


@pytest.fixture(params=["flat", "ivf"])
def written(request, tmp_path):
    approximate = Approximate(400 if request.param == "ivf" else None, 4)
    vectors = FaissVectors.from_arrays(DIMENSION, np.arange(600), ["a"] * 500 + ["b"] * 100, vectors_of(600, 1),
                                       approximate)
    assert is_approximate(vectors.parts()["a"]) == (request.param == "ivf")
    vectors_file_generation = 3
    vector_files.write_base(tmp_path, vectors_file_generation, vectors)
    return tmp_path, vectors, approximate


def test_a_base_read_back_searches_as_the_index_written(written):
    folder, vectors, approximate = written
    loaded = vector_files.load(folder, 3, DIMENSION, approximate)
    assert {name: part.ntotal for name, part in loaded.parts().items()} == {"a": 500, "b": 100}
    assert loaded.trained() == vectors.trained()
    for query in vectors_of(20, 2):
        assert loaded.search(query, 10) == vectors.search(query, 10)
        assert loaded.search(query, 5, ["b"]) == vectors.search(query, 5, ["b"])


def test_deltas_apply_onto_a_streamed_base(written):
    folder, vectors, approximate = written
    added = vectors_of(30, 3)
    vector_files.write_delta(folder, 4, [0, 1, 550], [("b", list(range(600, 630)), added)], DIMENSION)
    vectors.remove([0, 1, 550])
    vectors.add("b", list(range(600, 630)), added)
    loaded = vector_files.load(folder, 4, DIMENSION, approximate)
    assert loaded.size == vectors.size == 627
    for query in vectors_of(20, 4):
        assert loaded.search(query, 10) == vectors.search(query, 10)


@pytest.mark.parametrize("keep", [0.3, 0.9])
def test_a_truncated_base_is_unreadable_not_a_crash(written, keep):
    folder, _, approximate = written
    base = folder / "vectors.3.faiss"
    data = base.read_bytes()
    base.write_bytes(data[:int(len(data) * keep)])
    assert vector_files.load(folder, 3, DIMENSION, approximate) is None


def test_a_flipped_byte_in_the_vectors_is_caught_by_the_archives_checksum(written):
    folder, _, approximate = written
    base = folder / "vectors.3.faiss"
    data = bytearray(base.read_bytes())
    data[len(data) // 2] ^= 0xFF
    base.write_bytes(bytes(data))
    assert vector_files.load(folder, 3, DIMENSION, approximate) is None


def test_a_member_that_is_no_serialised_index_is_unreadable(tmp_path):
    with open(tmp_path / "vectors.1.faiss", "wb") as handle:
        np.savez(handle, a=np.zeros((3, 4), np.float32))
    assert vector_files.load(tmp_path, 1, DIMENSION) is None


def test_a_base_written_by_the_previous_version_is_read(tmp_path):
    """Bases were np.savez of each index's `faiss.serialize_index` bytes: the same archive."""
    vectors = FaissVectors.from_arrays(DIMENSION, np.arange(50), ["a"] * 50, vectors_of(50, 5))
    with open(tmp_path / "vectors.2.faiss", "wb") as handle:  # a name, np.savez would add ".npz" to
        np.savez(handle, a=faiss.serialize_index(vectors.parts()["a"]))
    loaded = vector_files.load(tmp_path, 2, DIMENSION)
    assert loaded.search(vectors_of(1, 6)[0], 5) == vectors.search(vectors_of(1, 6)[0], 5)
