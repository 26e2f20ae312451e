"""Two collections, two keys, and many clients asking with each: does any citation cross over?

Shared by tests/service/test_collections_real.py and bench/collections_load.py and
bench/collections_cost.py. Collection A holds the seeds; B holds the seeds too (the same sources,
other doc_ids: a source is unique within its collection only) and a fact A lacks. A question
about the seeds has passages in both: a key-A answer citing a B doc_id is a leak.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from rag.keys import KeyStore

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "the administrator's key"
# In collection B only.
FACT = {"harbour.txt": "Harbour notes.\n\nThe old lighthouse on Gull Point was built in 1874 by the engineer "
                       "Margaret Holloway. Its lamp could be seen from twenty nautical miles away.\n"}
FACT_QUESTION = "Who built the lighthouse on Gull Point?"
SEED_QUESTIONS = ["Who implements TRACK4TIP?", "Which countries are in TRACK4TIP?", "What is REDTRAM?",
                  "¿Quién implementa TRACK4TIP?", "Quem implementa o programa EL PAcCTO?", FACT_QUESTION]


@dataclass(frozen=True)
class Holder:
    """One key, and the doc_ids of the collection it may read."""

    name: str
    key: str
    collection: str
    doc_ids: frozenset[str]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def make_keys(index_dir: Path) -> dict[str, str]:
    """Key A reads and writes collection a, key B collection b."""
    store = KeyStore(index_dir)
    try:
        return {"a": store.add("key-a", read=frozenset({"a"}), write=frozenset({"a"})),
                "b": store.add("key-b", read=frozenset({"b"}), write=frozenset({"b"}))}
    finally:
        store.close()


def fill(client: httpx.Client, keys: dict[str, str]) -> dict[str, Holder]:
    """Uploads the seeds into a, the seeds and the fact into b (with the admin key the client holds)."""
    seeds = {path.name: path.read_bytes() for path in sorted((ROOT / "seeds").iterdir())}
    holders = {}
    for collection, files in (("a", seeds), ("b", seeds | {n: t.encode() for n, t in FACT.items()})):
        response = client.post("/documents", params={"collection": collection},
                               files=[("files", (name, data)) for name, data in files.items()])
        assert response.status_code == 200, response.text
        doc_ids = frozenset(d["doc_id"] for d in response.json()["added"])
        assert len(doc_ids) == len(files)
        holders[collection] = Holder(f"key-{collection}", keys[collection], collection, doc_ids)
    return holders


@dataclass
class Load:
    answers: Counter = field(default_factory=Counter)  # per key
    citations: Counter = field(default_factory=Counter)  # per key
    statuses: Counter = field(default_factory=Counter)
    crossings: list[str] = field(default_factory=list)  # "key-a cited <doc_id>", one per leak
    failures: list[str] = field(default_factory=list)
    milliseconds: dict[str, list[float]] = field(default_factory=dict)


def ask_under_load(base_url: str, holders: list[Holder], *, clients: int, seconds: float) -> Load:
    """`clients` clients, the holders' keys in turn, each asking SEED_QUESTIONS in turn for `seconds`;
    every citation's doc_id is checked against the asking key's collection."""
    load = Load(milliseconds={h.name: [] for h in holders})
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(k: int) -> None:
        holder = holders[k % len(holders)]
        with httpx.Client(base_url=base_url, headers=holder.headers, timeout=120) as own:
            start.wait()
            stop, n = time.monotonic() + seconds, k
            while time.monotonic() < stop:
                question = SEED_QUESTIONS[n % len(SEED_QUESTIONS)]
                n += 1
                began = time.perf_counter()
                try:
                    response = own.post("/ask", json={"question": question})
                except httpx.HTTPError as exc:
                    with lock:
                        load.failures.append(repr(exc))
                    continue
                took = (time.perf_counter() - began) * 1000
                answered = response.json() if response.status_code == 200 else {}
                cited = [c["doc_id"] for c in answered.get("citations", [])]
                with lock:
                    load.statuses[response.status_code] += 1
                    load.answers[holder.name] += 1
                    load.citations[holder.name] += len(cited)
                    load.milliseconds[holder.name].append(took)
                    load.crossings += [f"{holder.name} cited {d}" for d in cited if d not in holder.doc_ids]

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 300)
    return load


def keyed_settings(index_dir: Path, **settings) -> tuple:
    """Settings over index_dir with the admin key (RAG_API_KEY), and the two keys made there."""
    from rag.settings import Settings

    return Settings(index_dir=index_dir, api_key=ADMIN, **settings), make_keys(index_dir)
