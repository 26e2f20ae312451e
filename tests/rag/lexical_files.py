"""The lexical index on disk, read as the tests do: without the index's own code."""

from __future__ import annotations

from pathlib import Path

import tantivy

from rag.lexical import FOLDER


def lexical_rows(folder: Path) -> tuple[int | None, list[int]]:
    """The generation the lexical index on disk was written for, and its chunks' rows."""
    index = tantivy.Index.open(str(folder / FOLDER))
    searcher = index.searcher()
    hits = searcher.search(tantivy.Query.all_query(), searcher.num_docs + 1, count=False).hits
    documents = [searcher.doc(address) for _, address in hits]
    generation = [d["generation"][0] for d in documents if d.get_first("generation") is not None]
    return (generation[0] if generation else None,
            sorted(d["row"][0] for d in documents if d.get_first("generation") is None))
