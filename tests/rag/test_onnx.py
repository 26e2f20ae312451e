"""The bundled model on ONNX Runtime: exported here, offline, once; close to torch's vectors; and a
question served without importing torch, sentence-transformers or LangChain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.embedding import bundled_model_path, load_embedder
from rag.engine import Engine
from rag.onnx_embedder import OnnxEmbedder
from rag.onnx_export import MODEL_FILE, export, exported_path, fingerprint
from rag.settings import BUNDLED_MODEL, E5_MODEL, Settings

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "Who implements TRACK4TIP?",
    "¿Quién coordina la red REDTRAM?",
    "The Amazon rainforest covers much of the Amazon basin of South America, an area of seven million "
    "square kilometres, of which five and a half million are covered by the rainforest.",
    "word " * 400,  # longer than the model's 256 tokens: cut as sentence-transformers cuts it
]
HEAVY = ("torch", "sentence_transformers", "transformers", "langchain_text_splitters", "langchain_core", "markdown_it")


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    return export(bundled_model_path(), tmp_path_factory.mktemp("onnx-cache"))


@pytest.mark.integration
def test_the_export_is_one_complete_folder_named_after_the_model(exported):
    cache = exported.parent.parent
    assert exported == exported_path(bundled_model_path(), cache) and exported.name == MODEL_FILE
    assert exported.parent.name == fingerprint(bundled_model_path())
    assert sorted(p.name for p in cache.iterdir()) == [exported.parent.name]  # no temporary folder left
    assert {p.name for p in exported.parent.iterdir()} == {MODEL_FILE, "tokenizer.json", "sentence_bert_config.json"}
    # int8: about a quarter of the 90 MB of float weights
    assert exported.stat().st_size < 0.4 * (bundled_model_path() / "model.safetensors").stat().st_size
    written = exported.stat().st_mtime_ns
    assert export(bundled_model_path(), cache) == exported and exported.stat().st_mtime_ns == written


@pytest.mark.integration
def test_vectors_stay_close_to_torchs(exported):
    onnx = OnnxEmbedder(exported, BUNDLED_MODEL).embed(TEXTS)
    torch = load_embedder(BUNDLED_MODEL, "torch").embed(TEXTS)
    assert onnx.shape == torch.shape == (len(TEXTS), 384) and onnx.dtype == np.float32
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    cosines = (onnx * torch).sum(axis=1)
    assert cosines.min() > 0.98 and cosines.mean() > 0.99, cosines
    # A text's vector is its own, whatever it is embedded with: a file embedded on a cluster's
    # worker gets the vectors it would get here.
    model = OnnxEmbedder(exported, BUNDLED_MODEL)
    alone = np.concatenate([model.embed([text]) for text in TEXTS])
    assert np.array_equal(alone, onnx) and np.array_equal(model.embed(TEXTS[::-1], batch_size=2), onnx[::-1])


@pytest.mark.integration
def test_the_setting_picks_the_backend(tmp_path, exported):
    engine = Engine(Settings(index_dir=tmp_path / "index", embedding_model=BUNDLED_MODEL,
                             onnx_cache_dir=exported.parent.parent))
    engine.ingest_paths([ROOT / "seeds"])
    assert isinstance(engine.index.embedder.model, OnnxEmbedder)
    answer = engine.ask("Who implements TRACK4TIP?")
    assert answer.found and "UNODC" in answer.answer
    engine.close()
    torch_engine = Engine(Settings(index_dir=tmp_path / "index", embedding_model=BUNDLED_MODEL,
                                   embedding_backend="torch"))
    assert type(torch_engine.index.embedder.model).__name__ == "SentenceTransformerEmbedder"
    torch_engine.close()


def _run(script: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PYTHONPATH=str(ROOT), **env))


ASK = f"""
import json, sys
from rag.engine import Engine
from rag.settings import Settings
engine = Engine(Settings())
answer = engine.ask("Who implements TRACK4TIP?")
print(json.dumps({{"found": answer.found, "answer": answer.answer,
                  "heavy": sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})}}))
"""


@pytest.mark.integration
@pytest.mark.parametrize("model", [BUNDLED_MODEL, E5_MODEL])
def test_asking_imports_neither_torch_nor_langchain(tmp_path, exported, model):
    settings = dict(RAG_INDEX_DIR=str(tmp_path / "index"), RAG_EMBEDDING_MODEL=model,
                    RAG_ONNX_CACHE_DIR=str(exported.parent.parent))
    engine = Engine(Settings(index_dir=tmp_path / "index", embedding_model=model,
                             onnx_cache_dir=exported.parent.parent))
    engine.ingest_paths([ROOT / "seeds"])
    engine.close()
    done = _run(ASK, **settings)
    assert done.returncode == 0, done.stderr
    asked = json.loads(done.stdout.strip().splitlines()[-1])
    assert asked["found"] and "UNODC" in asked["answer"]
    assert asked["heavy"] == []


@pytest.mark.integration
def test_without_onnxruntime_the_bundled_model_runs_on_torch_after_one_line():
    script = """
import logging, sys
sys.modules["onnxruntime"] = None  # as if the package were not installed
logging.basicConfig(format="%(message)s")
from rag.embedding import load_embedder
print(type(load_embedder("all-MiniLM-L6-v2")).__name__)
"""
    done = _run(script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["SentenceTransformerEmbedder"]
    notice = [line for line in done.stderr.splitlines() if "onnxruntime" in line]
    assert len(notice) == 1 and "runs on torch" in notice[0]
