"""Run the sentence-transformers model's transformer through ONNX Runtime.

On these CPUs ONNX Runtime embeds one short query ~2.5-3x faster than PyTorch eager mode, with the
same vectors (cosine 1.0000 to float32 PyTorch, max abs difference ~1e-4 on hidden states). Only
the transformer runs in ONNX Runtime; tokenization, prompts, pooling, the Dense layers and
normalisation stay the sentence-transformers modules', so the vectors are interchangeable with
the PyTorch backend's and an index built with either serves the other.

The ONNX graph is exported once per model (a few minutes on 2 cores; `rag models fetch` does it at
set-up) into `<model cache>/onnx/<weights fingerprint>/`, written to a temporary folder and renamed
into place, so an interrupted export leaves nothing half-written behind.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rag.errors import ModelError

log = logging.getLogger(__name__)

ONNX_FILE = "model.onnx"


@contextlib.contextmanager
def _made_in_place(target: Path, prefix: str, failure: str, hint: str) -> Iterator[Path]:
    """A temporary folder beside `target`, renamed to it when the block succeeds and removed when
    it fails, so an interrupted export never leaves half a graph; failures become ModelError."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    try:
        yield temp
        os.replace(temp, target)
        target.chmod(0o755)  # mkdtemp made it private; the cache may be shared
    except ModelError:
        raise
    except Exception as exc:  # exporters and quantizers raise many kinds
        raise ModelError(f"{failure}: {type(exc).__name__}: {exc}", hint=hint) from exc
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def onnx_dir(cache_dir: Path, fingerprint: str) -> Path:
    """Where the exported graph of the model with this weights fingerprint lives."""
    safe = fingerprint.replace(":", "-").replace("/", "-")
    return cache_dir / "onnx" / safe


def export(st_model: Any, target: Path) -> Path:
    """Export the transformer of a loaded SentenceTransformer to `target/model.onnx` (plus its
    external weights file). Returns the graph's path; ModelError when the export fails."""
    import torch

    if (target / ONNX_FILE).is_file():
        return target / ONNX_FILE
    transformer = st_model[0].auto_model

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    example = st_model.tokenizer(["export 导出 example"], return_tensors="pt")
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("sequence")
    log.info("exporting the embedding model to ONNX (once; a few minutes)")
    with _made_in_place(target, ".export-", "cannot export the embedding model to ONNX",
                        "set RAG_MODEL__BACKEND=torch to run it in PyTorch") as temp:
        torch.onnx.export(
            _Hidden(transformer).eval(), (example["input_ids"], example["attention_mask"]),
            str(temp / ONNX_FILE), input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"], dynamo=True,
            dynamic_shapes={"input_ids": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq}},
        )
    return target / ONNX_FILE


INT8_DIR = "int8"
# activations whose output feeds an MLP's output projection: that layer's inputs have the outliers
# that per-tensor dynamic int8 quantization handles badly (EmbeddingGemma: cosine to float32 0.96
# with it quantized, 0.99 without), so it stays float32
_ACTIVATIONS = frozenset({"Tanh", "Erf", "Sigmoid", "Gelu", "FastGelu", "BiasGelu", "QuickGelu",
                          "Relu", "Softplus"})


def linear_layers_to_quantize(graph: Any) -> list[str]:
    """Names of the MatMul nodes with a constant weight (linear layers), except those whose input
    comes through a non-linear activation since the previous MatMul (the MLP output projections)."""
    constants = {i.name for i in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}

    def after_activation(name: str) -> bool:
        stack, seen = [(name, 0)], set()
        while stack:
            value, depth = stack.pop()
            node = producer.get(value)
            if node is None or value in seen or depth > 12:
                continue
            seen.add(value)
            if node.op_type in _ACTIVATIONS:
                return True
            if node.op_type not in ("MatMul", "Gemm"):
                stack.extend((i, depth + 1) for i in node.input)
        return False

    return [n.name for n in graph.node if n.op_type == "MatMul" and len(n.input) == 2
            and n.input[1] in constants and not after_activation(n.input[0])]


def quantize(graph: Path) -> Path:
    """An int8 copy of `graph` (dynamic quantization of its linear layers, see
    `linear_layers_to_quantize`) in `<graph's folder>/int8/`, made once. ModelError on failure."""
    target = graph.parent / INT8_DIR
    if (target / ONNX_FILE).is_file():
        return target / ONNX_FILE
    log.info("quantizing the ONNX graph to int8 (once; about a minute)")
    with _made_in_place(target, ".quantize-", f"cannot quantize the ONNX graph {graph}",
                        "set RAG_MODEL__QUANTIZE=none") as temp:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic

        nodes = linear_layers_to_quantize(onnx.load(str(graph), load_external_data=False).graph)
        if not nodes:
            raise ModelError(f"no linear layer to quantize in {graph}")
        quantize_dynamic(str(graph), str(temp / ONNX_FILE), weight_type=QuantType.QInt8,
                         nodes_to_quantize=nodes, use_external_data_format=True)
    return target / ONNX_FILE


def use_onnx(st_model: Any, graph: Path, threads: int = 0) -> None:
    """Make `st_model` run its transformer through ONNX Runtime from `graph` (in place)."""
    import numpy as np
    import onnxruntime as ort
    import torch

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or (os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # a truncated or foreign file
        raise ModelError(f"cannot load the ONNX graph {graph}: {exc}",
                         hint=f"delete {graph.parent} to export it again") from exc

    def forward(features: dict[str, Any], **_: Any) -> dict[str, Any]:
        hidden = session.run(None, {
            "input_ids": features["input_ids"].numpy().astype(np.int64),
            "attention_mask": features["attention_mask"].numpy().astype(np.int64),
        })[0]
        features["token_embeddings"] = torch.from_numpy(hidden)
        return features

    st_model[0].forward = forward  # the module's other parts (tokenizer, max length) stay
