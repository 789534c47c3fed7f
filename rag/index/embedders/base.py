"""The embedder contract: one required method, `embed_batch`; everything else is derived."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np

Kind = Literal["query", "document"]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors (inner product = cosine)."""

    name: str
    dim: int
    fingerprint: str

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """One (len(texts), dim) float32 array with unit-length rows."""
        ...


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)


def embed_query(embedder: Embedder, text: str) -> np.ndarray:
    """The (dim,) vector of one query."""
    return embedder.embed_batch([text], "query")[0]


def embed_documents(embedder: Embedder, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
    """Embed many documents in batches, longest first (less padding), with an optional progress bar."""
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    if not texts:
        return out
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    size = max(1, getattr(embedder, "batch_size", 16))
    from tqdm import tqdm

    with tqdm(total=len(texts), desc=f"embedding with {embedder.name}", unit="chunk",
              disable=not progress) as bar:
        for b in range(0, len(order), size):
            idx = order[b : b + size]
            out[idx] = embedder.embed_batch([texts[i] for i in idx], "document")
            bar.update(len(idx))
    return out
