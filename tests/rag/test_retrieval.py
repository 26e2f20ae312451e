"""HybridRetriever: the dense side (embedding, FAISS) runs on its own thread beside Tantivy's search."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from rag.embedding import HashEmbedder
from rag.errors import ModelUnavailable

PASSAGES = {
    "trata.txt": "La trata de personas con fines de explotación laboral se castiga con prisión de ocho a quince años.",
    "smuggling.txt": "Migrant smuggling networks charged each person 4,000 dollars to cross the border at night.",
    "ports.txt": "Inspectors at the port of Santos found forty workers held in a container ship's hold.",
    "shelter.txt": "The shelter in Quito offers victims legal aid, medical care and a safe place to stay.",
    "fines.txt": "A company that profits from forced labour pays a fine of up to 500 minimum wages.",
}
QUESTIONS = ["What do smugglers charge?", "¿Qué pena tiene la trata de personas?", "Where were the workers found?",
             "What does the shelter offer victims?", "How large is the fine for forced labour?"]


@pytest.fixture
def engine(make_engine, files):
    for name, text in PASSAGES.items():
        files.text(f"docs/{name}", text)
    built = make_engine()
    built.ingest_paths([files.root / "docs"])
    return built


def hits(engine, question: str, mode: str = "hybrid") -> list[tuple[int, float]]:
    return [(h.row, round(h.score, 9)) for h in engine.retriever.retrieve(engine.analyzer.analyze(question), 5, mode)]


class ThreadNoting(HashEmbedder):
    """Notes the thread each question is embedded on; with `gate`, waits for it before embedding."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        super().__init__()
        self.gate = gate
        self.threads: list[str] = []
        self.opened: list[bool] = []

    def embed(self, texts, *, batch_size=32, kind="passage"):
        if kind == "query":
            self.threads.append(threading.current_thread().name)
            if self.gate is not None:
                self.opened.append(self.gate.wait(10))
        return super().embed(texts, batch_size=batch_size, kind=kind)


def test_the_question_is_embedded_while_tantivy_searches(engine):
    # The embedder waits for the lexical search to start: run one after the other, it would wait in vain.
    started = threading.Event()
    noting = ThreadNoting(gate=started)
    engine.index.embedder = noting
    search = engine.index.lexical.search

    def lexical(*args, **kwargs):
        started.set()
        return search(*args, **kwargs)

    engine.index.lexical.search = lexical
    engine.retriever.retrieve(engine.analyzer.analyze(QUESTIONS[0]), 5, "hybrid")
    assert noting.opened == [True]
    assert noting.threads[0].startswith("dense-search")


def test_a_dense_search_alone_stays_on_the_callers_thread(engine):
    noting = ThreadNoting()
    engine.index.embedder = noting
    assert hits(engine, QUESTIONS[1], "dense")
    assert noting.threads == [threading.current_thread().name]


def test_the_hybrid_ranking_is_the_fusion_of_both_sides(engine):
    # The same ranks as both sides computed apart, one after the other, on this thread.
    for question in QUESTIONS:
        query = engine.analyzer.analyze(question)
        dense = {h.row: h.dense_score for h in engine.retriever.retrieve(query, 40, "dense")}
        lexical = {h.row: h.lexical_score for h in engine.retriever.retrieve(query, 40, "lexical")}
        for hit in engine.retriever.retrieve(query, 40, "hybrid"):
            assert hit.dense_score == dense.get(hit.row)
            assert hit.lexical_score == lexical.get(hit.row)


def test_an_error_of_the_dense_side_reaches_the_caller(engine):
    class Broken(HashEmbedder):
        def embed(self, texts, *, batch_size=32, kind="passage"):
            raise ModelUnavailable("the model file is gone")

    engine.index.embedder = Broken()
    with pytest.raises(ModelUnavailable, match="the model file is gone"):
        engine.retriever.retrieve(engine.analyzer.analyze(QUESTIONS[2]), 5, "hybrid")


def test_sixteen_threads_get_the_hits_one_thread_gets(engine):
    # More questions at once than the dense side has threads: some wait for one, none gets another's.
    expected = {q: hits(engine, q) for q in QUESTIONS}
    asked = QUESTIONS * 16
    with ThreadPoolExecutor(16) as pool:
        got = list(pool.map(lambda q: (q, hits(engine, q)), asked))
    assert all(result == expected[q] for q, result in got)
    assert all(expected.values())
