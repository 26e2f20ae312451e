"""The FAISS half of the index on disk: a base file plus one delta file per commit since.

Rewriting the whole file at each commit made an ingest cost the square of the index (132k chunks:
509 rewrites, 54 GB written for a 204 MB file). A commit now writes only what it changes, in
`delta.<generation>.npz` (the rows removed, the rows added with their collection and vector). The
deltas are folded into a new base, `vectors.<generation>.faiss` (each collection's index
serialised, in one .npz), once they hold more than COMPACT_RATIO times the base's bytes: the bases
written then grow geometrically, so all the vectors' files written come to at most about
1 + (1 + COMPACT_RATIO) / COMPACT_RATIO = 2.5 times the final base (1.9 measured at 140k chunks,
bench/index_scale.py), and a small upload into a large index writes a small delta, not the index.

A delta is written, under its generation, before the SQLite transaction of that generation
commits (the single writer knows the next number): every committed generation has its delta, a
crash at any point leaves either the previous state or the new one, and readers never wait on a
file that is not there yet. A delta left by a writer killed before its commit names a generation
SQLite never reached; readers ignore it and the next commit replaces it. Every file is written to
a temporary name, synced, then renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import ctypes
import os
import re
import zipfile
from pathlib import Path

import faiss
import numpy as np

from .approximate import Approximate
from .vectors import FaissVectors

COMPACT_RATIO = 2
_BASE = re.compile(r"^vectors\.(\d+)\.faiss$")
_DELTA = re.compile(r"^delta\.(\d+)\.npz$")
_TEMPORARY = re.compile(r"^\.(vectors|delta)\.\d+\.\d+\.tmp$")
# Beside the collections' indexes in a base, their IVFs' imbalances when trained: '+' is in no
# collection's name.
_TRAINED = "+trained"
_UNREADABLE = (OSError, ValueError, RuntimeError, KeyError, zipfile.BadZipFile)

Added = list[tuple[str, list[int], np.ndarray]]  # (collection, rows, their vectors)


def _files(folder: Path) -> tuple[dict[int, Path], dict[int, Path]]:
    """The bases and the deltas in the folder, by generation."""
    bases, deltas = {}, {}
    for path in folder.iterdir():
        if match := _BASE.match(path.name):
            bases[int(match.group(1))] = path
        elif match := _DELTA.match(path.name):
            deltas[int(match.group(1))] = path
    return bases, deltas


def _write(folder: Path, name: str, generation: int, members: dict[str, np.ndarray | faiss.Index]) -> int:
    """Writes the members as an .npz (what `np.load` reads), a FAISS index as the array of its
    serialised bytes, streamed: `faiss.serialize_index` held two copies of a 1.2 GB index at once."""
    temporary = folder / f".{name.split('.')[0]}.{generation}.{os.getpid()}.tmp"
    with open(temporary, "wb") as handle:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            for member, value in members.items():
                with archive.open(f"{member}.npy", "w", force_zip64=True) as out:
                    if isinstance(value, np.ndarray):
                        np.lib.format.write_array(out, value, allow_pickle=False)
                    else:
                        _stream_index(out, value)
        handle.flush()
        os.fsync(handle.fileno())
        size = handle.tell()
    os.replace(temporary, folder / name)
    _fsync_dir(folder)
    return size


def _stream_index(out, index: faiss.Index) -> None:
    """The index's serialised bytes as a .npy array of uint8: its length first (the header needs
    it, so the index is serialised once to count), then the bytes as FAISS writes them."""
    size = 0

    def count(data: bytes) -> int:
        nonlocal size
        size += len(data)
        return len(data)

    faiss.write_index(index, faiss.PyCallbackIOWriter(count))
    np.lib.format.write_array_header_1_0(out, {"descr": "|u1", "fortran_order": False, "shape": (size,)})
    faiss.write_index(index, faiss.PyCallbackIOWriter(out.write))


def write_delta(folder: Path, generation: int, removed: list[int], added: Added, dimension: int) -> int:
    """Writes what the commit of `generation` changes; its size in bytes."""
    names = sorted({collection for collection, rows, _ in added if rows})
    ids = [row for _, rows, _ in added for row in rows]
    which = [names.index(collection) for collection, rows, _ in added for _ in rows]
    vectors = (np.concatenate([np.asarray(v, dtype=np.float32) for _, rows, v in added if rows]) if ids
               else np.zeros((0, dimension), np.float32))
    return _write(folder, f"delta.{generation}.npz", generation, {
        "removed": np.asarray(removed, dtype=np.int64), "ids": np.asarray(ids, dtype=np.int64),
        "collection": np.asarray(which, dtype=np.int32), "names": np.asarray(names, dtype=str),
        "vectors": vectors})


def write_base(folder: Path, generation: int, vectors: FaissVectors) -> int:
    """Writes every vector as the base of `generation`, then removes the older files and any
    delta (those above `generation` were left by writers killed before their commit)."""
    trained = vectors.trained()
    size = _write(folder, f"vectors.{generation}.faiss", generation,
                  {**vectors.parts(),
                   f"{_TRAINED}.names": np.asarray(list(trained), dtype=str),
                   f"{_TRAINED}.values": np.asarray(list(trained.values()), dtype=np.float64)})
    vectors.rebuilt = False
    bases, deltas = _files(folder)
    for old in [path for g, path in bases.items() if g != generation] + list(deltas.values()):
        old.unlink(missing_ok=True)
    for path in folder.iterdir():
        if _TEMPORARY.match(path.name):  # left by a writer killed mid-write (one writer at a time)
            path.unlink(missing_ok=True)
    return size


def needs_base(folder: Path, generation: int) -> bool:
    """True when the files cannot give `generation` (none yet, or SQLite moved on without them:
    an index of an older version), or when the deltas outweigh their base enough to fold them."""
    bases, deltas = _files(folder)
    base = max((g for g in bases if g <= generation), default=None)
    if base is None or any(g not in deltas for g in range(base + 1, generation + 1)):
        return True
    pending = sum(deltas[g].stat().st_size for g in range(base + 1, generation + 1))
    return pending > COMPACT_RATIO * bases[base].stat().st_size


def load(folder: Path, generation: int, dimension: int,
         approximate: Approximate = Approximate()) -> FaissVectors | None:
    """The vectors of this generation, or None when its files are missing, unreadable or of
    another dimension (then they are rebuilt from SQLite)."""
    bases, deltas = _files(folder)
    base = max((g for g in bases if g <= generation), default=None)
    if base is None:
        return None
    try:
        with np.load(bases[base], allow_pickle=False) as parts:
            names = [name for name in parts.files if not name.startswith(_TRAINED)]
            trained = (dict(zip(parts[f"{_TRAINED}.names"].tolist(), parts[f"{_TRAINED}.values"].tolist()))
                       if f"{_TRAINED}.names" in parts.files else {})  # none in a base of an older version
            vectors = FaissVectors.of_parts(dimension, {name: _read_index(parts.zip, name) for name in names},
                                            trained, approximate)
    except _UNREADABLE:
        return None
    if vectors is None or not catch_up(folder, vectors, base, generation, deltas):
        return None
    _release_freed_memory()
    return vectors


def _release_freed_memory() -> None:
    """Hands the heap freed by the deltas read back to the system. glibc keeps it otherwise: at
    1M chunks a serving process stayed at 2.8 GB after loading 1.6 GB of vectors (2.1 GB with
    this). Elsewhere than glibc there is nothing to call, and nothing is lost but the memory."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):
        pass


def _read_index(archive: zipfile.ZipFile, name: str) -> faiss.Index:
    """A collection's index streamed from its member of the base into FAISS. Reading the member
    as an array, then `faiss.deserialize_index`, held three copies of it at once (the array,
    FAISS's copy of the array, the index): at 1M chunks a 1.2 GB base took a serving process to
    3.7 GB while it loaded, for an index of 1.2 GB."""
    with archive.open(f"{name}.npy") as member:
        header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
        shape, _, dtype = header[np.lib.format.read_magic(member)](member)
        if dtype != np.uint8 or len(shape) != 1:
            raise ValueError(f"{name}: not a serialised index")
        index = faiss.read_index(faiss.PyCallbackIOReader(member.read, 1 << 20))
        # The archive checks the member's CRC as its last byte is read: reading to the end makes
        # sure that happens (a flipped byte in the vectors reads as a valid index otherwise).
        if member.read():
            raise ValueError(f"{name}: bytes after the serialised index")
        return index


def catch_up(folder: Path, vectors: FaissVectors, start: int, generation: int,
             deltas: dict[int, Path] | None = None) -> bool:
    """Applies the deltas after `start` up to `generation` to the vectors; False, leaving them
    untouched, when one is missing (folded into a newer base meanwhile) or unreadable."""
    deltas = _files(folder)[1] if deltas is None else deltas
    changes = []
    try:
        for g in range(start + 1, generation + 1):
            with np.load(deltas[g], allow_pickle=False) as delta:  # all read before any is applied
                changes.append({key: delta[key] for key in delta.files})
    except _UNREADABLE:
        return False
    if any(change["vectors"].shape[1] != vectors.dimension for change in changes):
        return False
    for change in changes:
        vectors.remove(change["removed"].tolist())
        for n, name in enumerate(change["names"].tolist()):
            mask = change["collection"] == n
            vectors.add(name, change["ids"][mask].tolist(), change["vectors"][mask])
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
