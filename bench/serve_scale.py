"""Warm POST /ask on indexes of 132k and 1M chunks, real query model (issue 15's serving figures).

For each size, builds an index through the project's own Index (bench/index_scale.py's documents:
shuffled XQuAD sentences, English and Spanish) with the default settings, so past
RAG_APPROXIMATE_FROM chunks its vectors are IVF. The chunks' vectors come from the fast path of
bench/_sentence_vectors.py: each distinct XQuAD sentence embedded once by the model (--model: the
default, multilingual-e5-small, or all-MiniLM-L6-v2 on ONNX int8; the same model serves), a
chunk's vector the normalised sum of its sentences' (embedding a million chunks with the model
would take days here). Then, in a new process that only serves (its memory is the serving
process's), starts the real app under uvicorn with the real model for questions, and asks XQuAD
questions (English and Spanish alternately, each once, after a warm-up) over HTTP:

- build time, and what the vectors became (flat, or IVF with its lists);
- warm /ask p50 and p95, and the serving process's RSS (now, and its peak);
- Engine.ask in the same process on as many other questions (none cached yet), with the time of
  each stage as it runs: analysis with translation; the retrieval, and within it the query
  embedding and the vector search on one thread beside the lexical search (Tantivy, every form of
  the question) on the request's; composing the answer (of which the sentences embedded for it);
  and the rest (glosses, the conversation).

    .venv/bin/python bench/serve_scale.py [--chunks 132000 1000000] [--questions 200] [--folder DIR]
                                          [--model all-MiniLM-L6-v2]

With --folder, the indexes are kept in DIR/<chunks> and reused by the next run (no rebuild).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import XQUAD, median, served, table, timed_ms
from _sentence_vectors import SentenceSumEmbedder, real_model
from index_scale import documents
from rag.analysis import LanguageDetector
from rag.approximate import Approximate, is_approximate
from rag.chunking import Chunker
from rag.index import Index
from rag.settings import Settings

WARM_UP = 10


def questions(count: int) -> list[str]:
    """XQuAD's questions, English and Spanish alternately."""
    pools = [[q["question"] for article in json.loads(XQUAD.with_name(f"xquad.{language}.json").read_text("utf-8"))
              ["data"] for p in article["paragraphs"] for q in p["qas"]] for language in ("en", "es")]
    return [pools[n % 2][n // 2] for n in range(count)]


def build(target: int, folder: Path, settings: Settings) -> list[tuple[str, str]]:
    chunker = Chunker(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
    embedder = SentenceSumEmbedder(real_model(settings.embedding_model))
    index = Index(folder, embedder=embedder, chunker=chunker, detector=LanguageDetector(),
                  approximate=Approximate(settings.approximate_from or None, settings.approximate_nprobe))
    rows = []
    if not index.store.count()[1]:
        docs = documents(target, settings.chunk_size - settings.chunk_overlap)
        started = time.perf_counter()
        index.ingest(docs)
        seconds = time.perf_counter() - started
        rate = index.store.count()[1] / seconds
        rows.append(("build (ingest, sentence-sum vectors)",
                     f"{seconds:.0f} s ({rate:,.0f} chunks/s; {embedder.embedded_whole} chunks embedded whole)"))
    shapes = [f"{name}: IVF{part.nlist}" if is_approximate(part) else f"{name}: flat"
              for name, part in index.vectors.parts().items()]
    rows += [("chunks", f"{index.store.count()[1]:,}"), ("vectors", ", ".join(shapes))]
    index.close()
    return rows


def rss() -> tuple[float, float]:
    """This process's resident memory now and at its peak, in GB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return tuple(int(fields[key].split()[0]) / 1e6 for key in ("VmRSS", "VmHWM"))


class Stages:
    """Times the engine's own parts as Engine.ask calls them, per question: each named method of an
    object is replaced, on that object only, by one that adds its time to the question's stage."""

    def __init__(self) -> None:
        self.times: list[dict[str, float]] = []

    def time(self, owner, method: str, stage) -> None:
        inner = getattr(owner, method)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                name = stage(*args, **kwargs) if callable(stage) else stage
                self.times[-1][name] = self.times[-1].get(name, 0.0) + (time.perf_counter() - started) * 1000

        setattr(owner, method, timed)


def stages_of(engine, asked: list[str]) -> tuple[list[float], dict[str, list[float]], float]:
    """Engine.ask on each question with its stages timed: (total ms per question, each stage's,
    the mean count of sentences embedded for an answer)."""
    stages = Stages()
    embedder, vectors = engine.index.embedder, engine.index.vectors
    stages.time(engine.analyzer, "analyze", "analysis and translation")
    embedded: list[int] = []  # the sentences embedded per question (rag/meaning.py)

    def embedding(texts, **kw) -> str:
        if kw.get("kind", "passage") == "passage":
            embedded[-1] += len(texts)
        return f"  {kw.get('kind', 'passage')} embedding"
    stages.time(engine.retriever, "retrieve", "retrieval")
    stages.time(embedder, "embed", embedding)
    stages.time(engine.index.lexical, "search", "  lexical (Tantivy)")
    stages.time(vectors, "search", "  vector search")
    stages.time(engine.composer, "compose", "composing the answer")
    totals = []
    for question in asked:
        stages.times.append({})
        embedded.append(0)
        totals += timed_ms(lambda: engine.ask(question), 1)
    # The retrieval's parts overlap: the question is embedded and FAISS searched on one thread while
    # Tantivy searches on the request's (rag/retrieval.py); the rest is fusion and reading the chunks.
    # Sentences embedded while composing (rag/meaning.py) are part of composing's time.
    whole = ["analysis and translation", "retrieval", "composing the answer"]
    parts = ["  query embedding", "  lexical (Tantivy)", "  vector search"]
    per_stage = {name: [t.get(name, 0.0) for t in stages.times]
                 for name in [whole[0], whole[1], *parts, whole[2], "  passage embedding"]}
    per_stage["rest"] = [total - sum(t.get(name, 0.0) for name in whole) for total, t in zip(totals, stages.times)]
    return totals, per_stage, sum(embedded) / len(embedded)


def serve(settings: Settings, count: int) -> list[tuple[str, str]]:
    """Runs in the serving process: /ask over HTTP, then Engine.ask stage by stage on other questions."""
    from rag.engine import Engine

    asked = questions(2 * count + WARM_UP)
    with served(settings) as client:
        for question in asked[:WARM_UP]:
            client.post("/ask", json={"question": question}).raise_for_status()
        ask_ms, http_ms = [], []
        for question in asked[WARM_UP:WARM_UP + count]:
            started = time.perf_counter()
            response = client.post("/ask", json={"question": question}).raise_for_status()
            ask_ms.append((time.perf_counter() - started) * 1000)
            http_ms.append(ask_ms[-1] - response.json()["took_ms"])  # all but Engine.ask's own time
        now, peak = rss()
    engine = Engine(settings)
    engine.warm_up()
    for question in asked[:WARM_UP]:
        engine.ask(question)
    totals, per_stage, sentences = stages_of(engine, asked[WARM_UP + count:])
    engine.close()
    rows = [(f"warm /ask over HTTP, {count} questions", f"p50 {median(ask_ms):.1f} ms, p95 {p95(ask_ms):.1f} ms"),
            ("  of which HTTP, FastAPI and JSON (not Engine.ask)", f"p50 {median(http_ms):.1f} ms"),
            ("serving process RSS", f"{now:.2f} GB after the questions, {peak:.2f} GB at its peak"),
            (f"Engine.ask, {count} other questions", f"p50 {median(totals):.1f} ms, p95 {p95(totals):.1f} ms")]
    return rows + [(f"  {name}", f"p50 {median(values):.1f} ms, mean {sum(values) / len(values):.1f} ms")
                   for name, values in per_stage.items()] + [("  sentences embedded per question", f"{sentences:.2f}")]


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * len(values))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, nargs="+", default=[132_000, 1_000_000])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--folder", type=Path, help="keep the indexes here, and reuse those already built")
    parser.add_argument("--model", help="the embedding model of the index and of questions (default: RAG_EMBEDDING_MODEL's)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the serving process's side
    args = parser.parse_args()
    settings = Settings()
    if args.model:
        settings = settings.model_copy(update={"embedding_model": args.model})
    if args.serve:
        print(table(serve(settings.model_copy(update={"index_dir": args.serve}), args.questions)), flush=True)
        return
    model = ["--model", settings.embedding_model]
    with tempfile.TemporaryDirectory() as tmp:
        for target in args.chunks:
            folder = (args.folder or Path(tmp)) / str(target)
            print(f"\n## about {target:,} chunks, {settings.embedding_model}\n"
                  + table(build(target, folder, settings)), flush=True)
            subprocess.run([sys.executable, __file__, "--serve", str(folder), "--questions", str(args.questions),
                            *model], check=True, env=os.environ)


if __name__ == "__main__":
    main()
