"""Embedders: the fake is deterministic; a model folder on disk loads offline like the bundled one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.embedding import HashEmbedder, bundled_model_path, embed_grouped, load_embedder, model_name
from rag.engine import Engine
from rag.errors import ModelMismatch, ModelUnavailable
from rag.settings import BUNDLED_MODEL, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_hash_embedder_is_deterministic_and_normalised():
    a, b = HashEmbedder().embed(["trata de personas", "trata de personas"]), HashEmbedder().embed(["trata"])
    assert np.array_equal(a[0], a[1])
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0) and np.isclose(np.linalg.norm(b), 1.0)


def test_a_setting_that_is_no_model_says_what_to_do(tmp_path):
    with pytest.raises(ModelUnavailable, match="neither 'all-MiniLM-L6-v2' nor a folder"):
        load_embedder(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelUnavailable, match="no sentence-transformers model"):
        load_embedder(str(tmp_path / "empty"))


@pytest.mark.integration
def test_a_model_exported_to_a_folder_is_loaded_from_there(tmp_path):
    from sentence_transformers import SentenceTransformer

    folder = tmp_path / "my-model"
    SentenceTransformer(str(bundled_model_path()), device="cpu").save(str(folder))
    settings = Settings(index_dir=tmp_path / "index", embedding_model=str(folder))
    engine = Engine(settings)
    engine.ingest_paths([ROOT / "seeds"])
    answer = engine.ask("Who implements TRACK4TIP?")
    assert answer.found and "UNODC" in answer.answer
    assert engine.index.store.meta("model") == model_name(str(folder)) == str(folder.resolve())
    bundled = load_embedder(BUNDLED_MODEL, "torch").embed(["Who implements TRACK4TIP?"])
    assert np.allclose(engine.index.embedder.embed(["Who implements TRACK4TIP?"]), bundled, atol=1e-5)
    engine.close()

    with pytest.raises(ModelMismatch, match="built with the embedding model"):
        Engine(settings.model_copy(update={"embedding_model": BUNDLED_MODEL}))
    # A model folder is assumed multilingual unless told otherwise.
    assert settings.model_languages() == {"en", "es", "pt"}
    assert settings.model_copy(update={"embedding_languages": "en"}).model_languages() == {"en"}


def test_grouped_texts_are_embedded_in_one_call_and_split_back_by_group():
    embedder = HashEmbedder(dimension=16)
    calls = []
    embed = embedder.embed
    embedder.embed = lambda texts, **kw: calls.append(list(texts)) or embed(texts, **kw)
    groups = [["trata de personas", "red de fiscales"], [], ["smuggling of migrants"]]
    parts = embed_grouped(embedder, groups, 16)
    assert calls == [["trata de personas", "red de fiscales", "smuggling of migrants"]]
    assert [p.shape for p in parts] == [(2, 16), (0, 16), (1, 16)]
    assert np.array_equal(np.concatenate(parts), embed([t for g in groups for t in g]))
    assert embed_grouped(embedder, [[], []], 16)[1].shape == (0, 16) and embed_grouped(embedder, [], 16) == []
    assert len(calls) == 1  # no text, no call to the model
