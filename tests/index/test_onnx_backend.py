"""The ONNX Runtime backend: the same vectors as PyTorch, the graph exported once, a broken graph
named with the way out, and the PyTorch fallback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rag.config import Settings
from rag.errors import ModelError

TEXTS = ["天元区教育局局长龙超俊说，家校合作是一种“跨界交流”。", "隆回交警走进学校开展交通安全宣传19场次。"]


def _with(settings: Settings, **model: Any) -> Settings:
    return settings.model_copy(update={"model": settings.model.model_copy(update=model)})


@pytest.fixture(scope="module")
def fp32_embedder(real_embedder: Any) -> Any:
    """The default model in float32 ONNX Runtime (the session's default may be int8)."""
    from rag.index.embedders import make_embedder

    if not getattr(real_embedder, "backend", "torch").startswith("onnx"):
        pytest.skip("the session's model runs in PyTorch (export failed or backend=torch)")
    embedder = make_embedder(_with(Settings(), backend="onnx", quantize="none"))
    assert embedder.backend == "onnx"
    return embedder


@pytest.mark.slow
def test_onnx_and_torch_give_the_same_vectors(fp32_embedder: Any) -> None:
    from rag.index.embedders import make_embedder

    torch_one = make_embedder(_with(Settings(), backend="torch"))
    assert torch_one.backend == "torch"
    for kind in ("query", "document"):
        a = fp32_embedder.embed_batch(TEXTS, kind)
        b = torch_one.embed_batch(TEXTS, kind)
        assert np.min(np.sum(a * b, axis=1)) > 0.9999, kind
    assert fp32_embedder.fingerprint == torch_one.fingerprint  # one index serves both


@pytest.mark.slow
def test_the_graphs_are_made_once_and_reused(fp32_embedder: Any) -> None:
    from rag.index.embedders.onnx_backend import ONNX_FILE, export, onnx_dir, quantize

    target = onnx_dir(Settings().model.cache_dir, fp32_embedder.fingerprint)
    graph = target / ONNX_FILE
    before = graph.stat().st_mtime_ns
    assert export(fp32_embedder.model, target) == graph  # present: not exported again
    assert graph.stat().st_mtime_ns == before
    int8 = quantize(graph)
    before = int8.stat().st_mtime_ns
    assert quantize(graph) == int8 and int8.stat().st_mtime_ns == before
    assert not list(target.parent.glob(".export-*")) and not list(target.glob(".quantize-*"))


def test_a_broken_graph_is_a_model_error_naming_the_folder(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    from rag.index.embedders.onnx_backend import ONNX_FILE, use_onnx

    (tmp_path / ONNX_FILE).write_bytes(b"not an onnx graph")
    with pytest.raises(ModelError) as err:
        use_onnx(object(), tmp_path / ONNX_FILE)
    assert str(tmp_path) in (err.value.hint or "")


def test_a_failed_export_falls_back_to_torch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.index.embedders import onnx_backend
    from rag.index.embedders.sentence_transformer import _try_onnx

    def fail(*_: Any) -> Any:
        raise ModelError("exporter broke")

    monkeypatch.setattr(onnx_backend, "export", fail)
    settings = Settings().model_copy(update={"model": Settings().model.model_copy(update={"cache_dir": tmp_path})})
    assert _try_onnx(object(), settings, "sha256:0123") == "torch"


def _toy_mlp(path: Path) -> None:
    """x -> Linear -> Tanh -> * up -> Linear (the output projection) -> y, plus x @ x^T (no weight)."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    weights = {name: numpy_helper.from_array(rng.normal(size=(16, 16)).astype(np.float32), name)
               for name in ("w_gate", "w_up", "w_down")}
    nodes = [
        helper.make_node("MatMul", ["x", "w_gate"], ["gate"], name="gate_proj"),
        helper.make_node("Tanh", ["gate"], ["act"], name="act"),
        helper.make_node("MatMul", ["x", "w_up"], ["up"], name="up_proj"),
        helper.make_node("Mul", ["act", "up"], ["h"], name="glu"),
        helper.make_node("MatMul", ["h", "w_down"], ["y"], name="down_proj"),
        helper.make_node("Transpose", ["x"], ["xt"], name="t"),
        helper.make_node("MatMul", ["x", "xt"], ["scores"], name="attention_scores"),
    ]
    graph = helper.make_graph(
        nodes, "toy", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 16]),
         helper.make_tensor_value_info("scores", TensorProto.FLOAT, [4, 4])],
        initializer=list(weights.values()))
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


def test_int8_quantizes_linear_layers_but_not_the_mlp_output(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from rag.index.embedders.onnx_backend import INT8_DIR, linear_layers_to_quantize, quantize

    _toy_mlp(tmp_path / "model.onnx")
    assert linear_layers_to_quantize(onnx.load(str(tmp_path / "model.onnx")).graph) == ["gate_proj", "up_proj"]
    graph = quantize(tmp_path / "model.onnx")
    assert graph == tmp_path / INT8_DIR / "model.onnx"
    ops = {n.op_type for n in onnx.load(str(graph)).graph.node}
    assert "DynamicQuantizeLinear" in ops or "MatMulInteger" in ops
    x = np.random.default_rng(1).normal(size=(4, 16)).astype(np.float32)
    fp32 = ort.InferenceSession(str(tmp_path / "model.onnx")).run(["y"], {"x": x})[0]
    int8 = ort.InferenceSession(str(graph)).run(["y"], {"x": x})[0]
    cos = np.sum(fp32 * int8) / (np.linalg.norm(fp32) * np.linalg.norm(int8))
    assert 0.97 < cos < 1.0  # close, and really quantized
    assert not list(tmp_path.glob(".quantize-*"))
    assert quantize(tmp_path / "model.onnx") == graph  # made once


def test_a_failed_quantization_keeps_the_float32_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.index.embedders import onnx_backend, sentence_transformer

    used: list[Path] = []
    monkeypatch.setattr(onnx_backend, "export", lambda *_: tmp_path / "model.onnx")
    monkeypatch.setattr(onnx_backend, "quantize", lambda _: (_ for _ in ()).throw(ModelError("broke")))
    monkeypatch.setattr(onnx_backend, "use_onnx", lambda _m, graph, _t=0: used.append(graph))
    base = Settings()
    settings = base.model_copy(update={"model": base.model.model_copy(update={"quantize": "int8"})})
    assert sentence_transformer._try_onnx(object(), settings, "sha256:0123") == "onnx"
    assert used == [tmp_path / "model.onnx"]


@pytest.mark.slow
def test_the_int8_model_keeps_the_vectors_close(fp32_embedder: Any) -> None:
    from rag.index.embedders import make_embedder

    int8 = make_embedder(_with(Settings(), backend="onnx", quantize="int8"))
    assert int8.backend == "onnx-int8"
    assert int8.fingerprint == fp32_embedder.fingerprint + "+int8"  # an index of its own
    for kind in ("query", "document"):
        a = fp32_embedder.embed_batch(TEXTS, kind)
        b = int8.embed_batch(TEXTS, kind)
        assert 0.97 < np.min(np.sum(a * b, axis=1)) < 0.99999, kind
