"""Retrieval and answer quality on XQuAD: one document per paragraph, questions in any language.

The questions' file and the paragraphs' file are parallel (XQuAD is professionally translated
paragraph by paragraph), so the gold paragraph of a question is the paragraph at the same place
in the corpus file, whatever the two languages. Articles 24 to 47 are the held-out split;
0 to 23 are for tuning.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .analysis import fold
from .engine import Engine
from .errors import InvalidInput
from .gloss import add_glosses
from .sentences import split_sentences
from .settings import Settings

HELD_OUT = range(24, 48)
TUNING = range(0, 24)
RECALL_DEPTH = 20  # chunks retrieved to rank paragraphs for recall@5


@dataclass(frozen=True)
class XQuestion:
    article: int
    paragraph: str  # the gold document's source
    question: str
    answers: tuple[str, ...]


def _articles(path: Path) -> list[dict]:
    try:
        return json.loads(Path(path).read_text("utf-8"))["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{path} is not an XQuAD (SQuAD v1.1) file: {exc}; give the path of xquad.<lang>.json.") \
            from None


def _source(article: int, paragraph: int) -> str:
    return f"a{article:02d}_p{paragraph:02d}.txt"


def load_corpus(path: Path) -> dict[str, str]:
    return {_source(a, p): para["context"]
            for a, article in enumerate(_articles(path)) for p, para in enumerate(article["paragraphs"])}


def load_questions(path: Path) -> list[XQuestion]:
    return [XQuestion(a, _source(a, p), qa["question"], tuple(ans["text"] for ans in qa["answers"]))
            for a, article in enumerate(_articles(path)) for p, para in enumerate(article["paragraphs"])
            for qa in para["qas"]]


def contains(answer: str, golds: tuple[str, ...], limit: int = 500) -> bool:
    return len(answer) <= limit and _occurs(golds, answer)


def naive_sentence(engine: Engine, question_vector: np.ndarray, hit) -> str:
    """The baseline: the sentence of the top passage most similar to the question."""
    spans = [s.text for s in split_sentences(hit.text)] or [hit.text]
    vectors = engine.index.embedder.embed(spans)
    return spans[int(np.argmax(vectors @ question_vector))]


def evaluate_xquad(settings: Settings, questions_path: Path, corpus_path: Path, *,
                   limit: int | None = None, progress: Callable[[int], None] | None = None,
                   on_total: Callable[[int], None] | None = None) -> dict:
    corpus = load_corpus(corpus_path)
    questions = load_questions(questions_path)[:limit]
    if any(q.paragraph not in corpus for q in questions):
        raise InvalidInput("the questions' file and the corpus file are not parallel XQuAD files; "
                           "give two xquad.<lang>.json files of the same release.")
    with tempfile.TemporaryDirectory(prefix="rag-xquad-") as tmp:
        folder = Path(tmp) / "paragraphs"
        folder.mkdir()
        for source, text in corpus.items():
            (folder / source).write_text(text, "utf-8")
        engine = Engine(settings.model_copy(update={"index_dir": Path(tmp) / "index"}))
        try:
            engine.ingest_paths([folder])
            if on_total:
                on_total(len(questions))
            rows = [_score(engine, q, corpus[q.paragraph], settings.top_k, progress) for q in questions]
        finally:
            engine.close()
    return {"questions": str(questions_path), "corpus": str(corpus_path), "paragraphs": len(corpus),
            "held_out_24_47": _summary([r for r in rows if r["article"] in HELD_OUT]),
            "tuning_0_23": _summary([r for r in rows if r["article"] in TUNING])}


def _score(engine: Engine, q: XQuestion, gold_text: str, top_k: int, progress) -> dict:
    started = time.perf_counter()
    query = engine.analyzer.analyze(q.question)
    hits = engine.retriever.retrieve(query, RECALL_DEPTH)
    answer = add_glosses(engine.composer.compose(query, hits[:top_k]), engine.translator)
    took_ms = (time.perf_counter() - started) * 1000
    ranked = list(dict.fromkeys(h.source for h in hits))
    if query.vector is None:  # searched only through its translation: the baseline reads the question itself
        query.vector = engine.index.embedder.embed([query.dense_text], kind="query")[0]
    naive = naive_sentence(engine, query.vector, hits[0]) if hits else ""
    alone = {mode: list(dict.fromkeys(h.source for h in engine.retriever.retrieve(query, RECALL_DEPTH, mode)))
             for mode in ("dense", "lexical")}
    if progress:
        progress(1)
    return {"article": q.article, "r1": ranked[:1] == [q.paragraph], "r5": q.paragraph in ranked[:5],
            **{f"{mode}_r1": r[:1] == [q.paragraph] for mode, r in alone.items()},
            **{f"{mode}_r5": q.paragraph in r[:5] for mode, r in alone.items()},
            "cites_gold": any(c.source == q.paragraph for c in answer.citations),
            "contains": answer.found and contains(answer.answer, q.answers),
            # The machine translation beside the quotes, where they are in another language: the
            # answer's length bounds it, as it bounds the answer.
            "gloss_contains": answer.found and len(answer.answer) <= 500
            and _occurs(q.answers, answer.answer_gloss or answer.answer),
            "naive_contains": contains(naive, q.answers), "not_found": not answer.found, "ms": took_ms,
            # The answer's best sentence alone, one sentence like the naive choice: selection without length.
            "best_contains": answer.found and contains(max(answer.citations, key=lambda c: c.score).quote,
                                                       q.answers),
            # Bounds on any quoted answer: the gold answer's words must be in the text at all.
            "in_gold": _occurs(q.answers, gold_text),
            "in_top_k": any(_occurs(q.answers, h.text) for h in hits[:top_k])}


def _occurs(golds: tuple[str, ...], text: str) -> bool:
    folded = fold(text)
    return any(fold(g) in folded for g in golds)


def _summary(rows: list[dict]) -> dict:
    if not rows:
        return {"questions": 0}

    def rate(key: str) -> float:
        return round(sum(r[key] for r in rows) / len(rows), 4)

    return {"questions": len(rows), "recall_at_1": rate("r1"), "recall_at_5": rate("r5"),
            "dense_recall_at_1": rate("dense_r1"), "dense_recall_at_5": rate("dense_r5"),
            "lexical_recall_at_1": rate("lexical_r1"), "lexical_recall_at_5": rate("lexical_r5"),
            "answer_cites_gold": rate("cites_gold"), "answer_containment": rate("contains"),
            "gloss_containment": rate("gloss_contains"), "naive_containment": rate("naive_contains"),
            "best_sentence_containment": rate("best_contains"),
            "answer_in_gold_paragraph": rate("in_gold"), "answer_in_top_k": rate("in_top_k"),
            "not_found_rate": rate("not_found"), "median_ms": round(statistics.median(r["ms"] for r in rows), 2)}
