"""Fit the answer likelihood's weights (rag/likelihood.py) on XQuAD's tuning articles 0-23.

For each tuning question (en/en and es/es), the 10 best sentences by words of its top passages,
with what the likelihood reads of each, labelled by whether the sentence holds the gold answer; a
conditional logit (each question's contenders share one softmax, L2 penalty 0.1 on standardized
features) is fitted by gradient descent and its weights printed in `_WEIGHTS`' order, with the
share of tuning questions whose most likely sentence holds the answer. Articles 24-47 are never read.
The weights in rag/likelihood.py came from an L-BFGS fit of the same objective, when the lexical
search was FTS5; on today's Tantivy indexes this descent lands within 0.6 of them but for the
passage term (31.7 against 33.6), and the most likely sentence holds the answer for 0.812 of the
1,264 tuning questions.

    .venv/bin/python bench/fit_likelihood.py [--index-dir en=PATH es=PATH] [--data ../shared/eval/xquad]

Without --index-dir each language's 240 paragraphs are indexed into a temporary folder first.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from _common import ROOT
from rag.engine import Engine
from rag.likelihood import features
from rag.meaning import LIKELY as CONTENDERS
from rag.settings import Settings
from rag.xquad import TUNING, contains, load_corpus, load_questions

PENALTY = 0.1


def contenders(engine: Engine, questions_path: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per tuning question: its contenders' features and whether each holds the gold answer."""
    composer = engine.composer
    out = []
    for q in load_questions(questions_path):
        if q.article not in TUNING:
            continue
        query = engine.analyzer.analyze(q.question)
        ranked = composer.score(query, engine.retriever.retrieve(query, engine.settings.top_k))[:CONTENDERS]
        if len(ranked) < 2:
            continue
        rows = features(query, ranked, composer.meaning.similarities(query, ranked))
        out.append((np.array(rows), np.array([contains(s.span.text, q.answers) for s in ranked], float)))
    return out


def fit(groups: list[tuple[np.ndarray, np.ndarray]], steps: int = 5000, rate: float = 1.0) -> np.ndarray:
    """The conditional logit's weights on the raw features (the penalty is on standardized ones)."""
    labelled = [(x, y) for x, y in groups if y.any()]
    stacked = np.concatenate([x for x, _ in labelled])
    mean, scale = stacked.mean(0), stacked.std(0) + 1e-9
    # Questions padded to CONTENDERS rows; a padding row never wins (its logit is -inf).
    x = np.zeros((len(labelled), CONTENDERS, stacked.shape[1]))
    y = np.zeros((len(labelled), CONTENDERS))
    real = np.zeros((len(labelled), CONTENDERS), bool)
    for n, (features_, labels) in enumerate(labelled):
        x[n, :len(labels)], y[n, :len(labels)], real[n, :len(labels)] = (features_ - mean) / scale, labels, True
    w = np.zeros(stacked.shape[1])
    for _ in range(steps):
        z = np.where(real, x @ w, -np.inf)
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        right = p * y / (p * y).sum(1, keepdims=True)
        gradient = 2 * PENALTY * w - np.einsum("gcf,gc->f", x, right - p)
        w -= rate * gradient / len(labelled)
    return w / scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval" / "xquad")
    parser.add_argument("--index-dir", nargs="*", default=[], help="LANG=PATH of an index of xquad.LANG.json")
    args = parser.parse_args()
    prebuilt = dict(item.split("=", 1) for item in args.index_dir)
    groups = []
    for language in ("en", "es"):
        path = args.data / f"xquad.{language}.json"
        with tempfile.TemporaryDirectory() as tmp:
            engine = Engine(Settings(index_dir=prebuilt.get(language, Path(tmp) / "index")))
            try:
                if language not in prebuilt:
                    folder = Path(tmp) / "paragraphs"
                    folder.mkdir()
                    for source, text in load_corpus(path).items():
                        (folder / source).write_text(text, "utf-8")
                    engine.ingest_paths([folder])
                groups += contenders(engine, path)
            finally:
                engine.close()
    weights = fit(groups)
    best = np.mean([y[int(np.argmax(x @ weights))] for x, y in groups])
    print("weights:", ", ".join(f"{w:.3f}" for w in weights))
    print(f"tuning questions: {len(groups)}; the most likely sentence holds the answer: {best:.3f}")


if __name__ == "__main__":
    main()
