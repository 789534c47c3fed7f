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


@pytest.mark.slow
def test_onnx_and_torch_give_the_same_vectors(real_embedder: Any) -> None:
    from rag.index.embedders import make_embedder

    if getattr(real_embedder, "backend", "torch") != "onnx":
        pytest.skip("the session's model runs in PyTorch (export failed or backend=torch)")
    settings = Settings()
    torch_one = make_embedder(settings.model_copy(update={
        "model": settings.model.model_copy(update={"backend": "torch"})}))
    assert torch_one.backend == "torch"
    for kind in ("query", "document"):
        a = real_embedder.embed_batch(TEXTS, kind)
        b = torch_one.embed_batch(TEXTS, kind)
        assert np.min(np.sum(a * b, axis=1)) > 0.9999, kind
    assert real_embedder.fingerprint == torch_one.fingerprint  # one index serves both


@pytest.mark.slow
def test_the_graph_is_exported_once_and_reused(real_embedder: Any) -> None:
    from rag.index.embedders.onnx_backend import ONNX_FILE, export, onnx_dir

    if getattr(real_embedder, "backend", "torch") != "onnx":
        pytest.skip("the session's model runs in PyTorch")
    target = onnx_dir(Settings().model.cache_dir, real_embedder.fingerprint)
    graph = target / ONNX_FILE
    before = graph.stat().st_mtime_ns
    assert export(real_embedder.model, target) == graph  # present: not exported again
    assert graph.stat().st_mtime_ns == before
    assert not list(target.parent.glob(".export-*"))  # no half-written export left behind


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
