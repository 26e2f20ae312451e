"""Warm POST /ask median for a question in another language than the documents, as a ratio to
the same question asked in the documents' language, measured in the same run. Goal: at most 2x.

Indexes XQuAD's 240 English paragraphs and asks the parallel English and Spanish questions
(professional translations of each other) over HTTP, interleaved so that noise hits both alike.
The Spanish one is translated by Apertium and searched in English; its passages' sentences are
read through their translation too; its answer gets glosses. The first ask of each question,
with nothing of it cached, is reported apart from the warm rounds.

    .venv/bin/python bench/cross_language_latency.py [--questions 80] [--rounds 3]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import ROOT, indexed, median, served, table, timed_ms
from rag.xquad import load_corpus, load_questions

XQUAD = ROOT.parent / "shared" / "eval" / "xquad"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=80, help="question pairs, from the held-out articles")
    parser.add_argument("--rounds", type=int, default=3, help="times each question is asked")
    parser.add_argument("--model", default=None, help="RAG_EMBEDDING_MODEL (default: the settings' default)")
    args = parser.parse_args()
    english = load_questions(XQUAD / "xquad.en.json")
    spanish = load_questions(XQUAD / "xquad.es.json")
    pairs = [(e.question, s.question) for e, s in zip(english, spanish) if e.article >= 24][: args.questions]

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "paragraphs"
        folder.mkdir()
        for source, text in load_corpus(XQUAD / "xquad.en.json").items():
            (folder / source).write_text(text, "utf-8")
        model = {"embedding_model": args.model} if args.model else {}
        with indexed(folder, **model) as settings, served(settings) as client:
            def ask(question: str) -> dict:
                response = client.post("/ask", json={"question": question})
                response.raise_for_status()
                return response.json()

            # First asks: nothing of the question is cached yet (its translation, its passages'
            # sentences read through theirs); they also check that glosses come back.
            first_same, first_cross, glossed = [], [], 0
            for en, es in pairs:
                first_same += timed_ms(lambda: ask(en), 1)
                first_cross += timed_ms(lambda: ask(es), 1)
                glossed += bool(ask(es)["answer_gloss"])
            same, cross = [], []
            for _ in range(args.rounds):
                for en, es in pairs:
                    same += timed_ms(lambda: ask(en), 1)
                    cross += timed_ms(lambda: ask(es), 1)

    s, c = median(same), median(cross)
    print(table([
        ("model", settings.embedding_model),
        ("question pairs x rounds", f"{len(pairs)} x {args.rounds}"),
        ("Spanish answers with a gloss", f"{glossed} of {len(pairs)}"),
        ("same language (en over en), median", f"{s:.2f} ms"),
        ("cross language (es over en), median", f"{c:.2f} ms"),
        ("cross p90", f"{sorted(cross)[int(0.9 * len(cross))]:.2f} ms"),
        ("ratio cross / same", f"{c / s:.2f}x  (goal <= 2x)"),
        ("first ask: same, cross, median", f"{median(first_same):.2f} ms, {median(first_cross):.2f} ms"),
        ("first ask: ratio cross / same", f"{median(first_cross) / median(first_same):.2f}x"),
    ]))


if __name__ == "__main__":
    main()
