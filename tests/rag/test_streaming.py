"""A large folder is ingested with bounded memory: its texts are never all held at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILE_CHARS = 25_000
BATCH_CHARS = 100_000

# Files of distinct text from a small vocabulary (so stemming stays cheap), ingested with the hash
# embedder through Engine.ingest_paths in batches of BATCH_CHARS; prints the peak of Python's
# allocations during the ingest.
PROBE = """
import random, sys, tracemalloc
from pathlib import Path
import rag.engine
from rag.engine import Engine
from rag.settings import Settings
folder, files, chars, batch = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(files)
words = ["trata", "red", "fiscal", "coordina", "programa", "personas", "justicia", "acuerdo", "país", "ley"]
folder.mkdir(parents=True)
for n in range(files):
    (folder / f"f{n:05d}.txt").write_text(" ".join(rng.choice(words) + str(rng.randrange(20)) for _ in range(chars // 10)))
rag.engine.WRITE_BATCH_CHARS = batch
engine = Engine(Settings(index_dir=folder.parent / "index", embedding_model="hash", translation="off",
                         chunk_size=4000, chunk_overlap=0))
tracemalloc.start()
report = engine.ingest_paths([folder])
print(len(report.added), tracemalloc.get_traced_memory()[1])
"""


def _peak(tmp_path: Path, files: int, batch: int) -> int:
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / f"{files}-{batch}" / "docs"), str(files),
                           str(FILE_CHARS), str(batch)], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    added, peak = map(int, done.stdout.split()[-2:])
    assert added == files
    return peak


def test_four_times_the_files_need_about_the_same_memory(tmp_path):
    small, large = _peak(tmp_path, 20, BATCH_CHARS), _peak(tmp_path, 80, BATCH_CHARS)
    more_text = 60 * FILE_CHARS  # 1.5 M characters more, held at once they would be 1.5 MB and more
    assert large - small < more_text // 4, (small, large)
