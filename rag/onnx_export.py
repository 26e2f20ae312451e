"""The bundled model exported to ONNX and quantised to dynamic int8, on this machine, from its folder.

No hub and no optimum: torch's own exporter writes the transformer (input ids, attention mask,
token types -> last hidden state), onnxruntime's quantiser turns its MatMul weights into int8, and
rag/onnx_embedder.py adds sentence-transformers' mean pooling and normalisation in numpy.

The result lives in a cache folder named after a fingerprint of the source model's files, so a
changed model is exported again and an unchanged one never is. The folder is written complete in a
temporary sibling and renamed into place: a killed export leaves no half model behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

MODEL_FILE = "model.int8.onnx"
# What the exported model depends on: the weights, the architecture, and the tokenizer we read.
SOURCE_FILES = ("config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json", "sentence_bert_config.json")
OPSET = 17


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/rag-cited/onnx, or ~/.cache/rag-cited/onnx."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rag-cited" / "onnx"


def fingerprint(folder: Path) -> str:
    """A key for the source model: each file's name and content hash for the small ones, size and
    modification time for the weights (hashing 90 MB would cost a cold start 0.2 s every time)."""
    digest = hashlib.sha256()
    for name in SOURCE_FILES:
        path = folder / name
        if not path.exists():
            continue
        stat = path.stat()
        digest.update(name.encode())
        if stat.st_size > 4 * 1024 * 1024:
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
        else:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def exported_path(folder: Path, cache_dir: Path) -> Path:
    return cache_dir / fingerprint(folder) / MODEL_FILE


def export(folder: Path, cache_dir: Path) -> Path:
    """The quantised ONNX file for the model in `folder`, exported now unless it is there already.
    Needs torch and transformers (only here, never on the query path) and onnxruntime."""
    target = exported_path(folder, cache_dir)
    if not target.exists():
        log.warning("exporting %s to ONNX int8 in %s (once per model; about 10 s)", folder.name, target.parent)
        written_once(target, lambda work: _export_quantised(folder, work))
    return target


def written_once(target: Path, write: Callable[[Path], None]) -> None:
    """`write` fills a temporary sibling of `target`'s folder, which is then renamed into place: a
    killed export leaves no half model behind, and of two processes exporting at once the first to
    rename wins (the other's is as good)."""
    target.parent.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent.parent))
    try:
        write(work)
        try:
            work.rename(target.parent)
        except OSError:
            if not target.exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _export_quantised(folder: Path, work: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    full = work / "model.onnx"
    _export_float(folder, full)
    # Per channel: a mean cosine of 0.995 with torch's vectors against 0.966 per tensor.
    logging.disable(logging.WARNING)  # the quantiser's advice on pre-processing, to the root logger
    try:
        quantize_dynamic(str(full), str(work / MODEL_FILE), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        logging.disable(logging.NOTSET)
    full.unlink()
    for name in ("tokenizer.json", "sentence_bert_config.json"):
        if (folder / name).exists():
            shutil.copy2(folder / name, work / name)


def _export_float(folder: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(folder), local_files_only=True)
    model.eval()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = tuple(torch.ones((2, 8), dtype=torch.long) for _ in names)
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    axes["last_hidden_state"] = {0: "batch", 1: "tokens"}

    class Hidden(torch.nn.Module):  # the last hidden state alone: pooling is done in numpy
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python control flow it fixed
        torch.onnx.export(Hidden(), sample, str(out), input_names=names, output_names=["last_hidden_state"],
                          dynamic_axes=axes, opset_version=OPSET, dynamo=False)
