"""The default embedder: a local sentence-transformers model with its query/document prompts."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import DEFAULT_MODEL, Settings
from rag.errors import ModelError
from rag.index.embedders.base import Kind, normalize_rows

_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".onnx")


def weights_fingerprint(path: Path, pinned: str | None = None) -> str:
    """A hash of the model's weight files (the pinned hash for the verified default model)."""
    if pinned:
        return f"sha256:{pinned[:16]}"
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in _WEIGHT_SUFFIXES)
    for f in files:
        h.update(str(f.relative_to(path)).encode())
        with f.open("rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
    return f"sha256:{h.hexdigest()[:16]}" if files else f"name:{path.name}"


def expected_fingerprint(settings: Settings) -> str | None:
    """The fingerprint `load_sentence_transformer` gives, when it is known without loading the
    model: the verified default model, with its ONNX graphs already made. None otherwise."""
    from rag.index.embedders.onnx_backend import INT8_DIR, ONNX_FILE, onnx_dir
    from rag.models import FILE_SHA256, model_dir, verified

    if settings.model.name != DEFAULT_MODEL or not verified(model_dir(settings)):
        return None
    base = weights_fingerprint(model_dir(settings), FILE_SHA256["model.safetensors"])
    if settings.model.backend != "onnx" or settings.model.dtype != "float32":
        return base
    graph = onnx_dir(settings.model.cache_dir, base) / ONNX_FILE
    if not graph.is_file():
        return None
    if settings.model.quantize == "int8":
        return f"{base}+int8" if (graph.parent / INT8_DIR / ONNX_FILE).is_file() else None
    return base


class SentenceTransformerEmbedder:
    """Loads the model once; `embed_batch` uses `encode_query` / `encode_document` prompts."""

    def __init__(self, model: Any, *, name: str, fingerprint: str, batch_size: int) -> None:
        self.model = model
        self.name = name
        self.fingerprint = fingerprint
        self.batch_size = batch_size
        self.backend = "torch"
        dim = model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension") else None
        self.dim = int(dim or model.get_sentence_embedding_dimension())

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Encode with the model's prompt for `kind`; rows unit length, float32."""
        encode = self.model.encode_query if kind == "query" else self.model.encode_document
        vectors = encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                         normalize_embeddings=True, show_progress_bar=False)
        return normalize_rows(np.asarray(vectors, dtype=np.float32))


def load_sentence_transformer(settings: Settings) -> SentenceTransformerEmbedder:
    """Load the configured model from local files only (never a hub); ModelError when it is absent."""
    from rag.models import FILE_SHA256, resolve_model_path

    path = resolve_model_path(settings)
    local = Path(path)
    if not local.exists():
        raise ModelError(
            f"embedding model {settings.model.name!r} is not a local folder",
            hint="set RAG_MODEL__NAME to a sentence-transformers folder, or run `rag models fetch` "
            f"for the default {DEFAULT_MODEL}",
        )
    try:
        import torch
        from sentence_transformers import SentenceTransformer

        if settings.model.threads:
            torch.set_num_threads(settings.model.threads)
        dtype = torch.bfloat16 if settings.model.dtype == "bfloat16" else torch.float32
        model = SentenceTransformer(str(local), device="cpu", local_files_only=True,
                                    model_kwargs={"torch_dtype": dtype})
        model.max_seq_length = settings.model.max_seq_length
    except Exception as exc:  # a broken folder surfaces as many exception types
        raise ModelError(f"cannot load embedding model from {local}: {exc}",
                         hint="check the folder, or run `rag models fetch --force`") from exc
    pinned = FILE_SHA256["model.safetensors"] if settings.model.name == DEFAULT_MODEL else None
    fingerprint = weights_fingerprint(local, pinned)
    backend = "torch"
    if settings.model.backend == "onnx" and settings.model.dtype == "float32":
        backend = _try_onnx(model, settings, fingerprint)
    if backend == "onnx-int8":  # other vectors (cosine ~0.99 to float32): an index of its own
        fingerprint = f"{fingerprint}+int8"
    embedder = SentenceTransformerEmbedder(
        model,
        name=settings.model.name if settings.model.name == DEFAULT_MODEL else local.name,
        fingerprint=fingerprint,
        batch_size=settings.model.batch_size,
    )
    embedder.backend = backend
    return embedder


def _try_onnx(model: Any, settings: Settings, fingerprint: str) -> str:
    """Switch the model to ONNX Runtime (exporting it once); 'torch' when that is not possible."""
    import logging

    from rag.index.embedders import onnx_backend

    log = logging.getLogger(__name__)
    try:
        graph = onnx_backend.export(model, onnx_backend.onnx_dir(settings.model.cache_dir, fingerprint))
    except (ModelError, ImportError) as exc:
        log.warning("embedding with PyTorch, not ONNX Runtime: %s", exc)
        return "torch"
    backend = "onnx"
    if settings.model.quantize == "int8":
        try:
            graph, backend = onnx_backend.quantize(graph), "onnx-int8"
        except (ModelError, ImportError) as exc:
            log.warning("embedding with the float32 ONNX graph, not int8: %s", exc)
    try:
        onnx_backend.use_onnx(model, graph, settings.model.threads)
    except ModelError as exc:
        log.warning("embedding with PyTorch, not ONNX Runtime: %s", exc)
        return "torch"
    return backend

