"""The embedder contract: one required method, `embed_batch`; everything else is derived."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


Progress = bool | Callable[[int, int], None]


def embed_documents(embedder: Embedder, texts: Sequence[str], *, progress: Progress = False,
                    on_batch: Callable[[list[int], np.ndarray], None] | None = None) -> np.ndarray:
    """Embed many documents in batches, longest first (less padding). `progress`: True for a bar
    on stderr, or a callback called with (embedded so far, total) after each batch; `on_batch`
    gets each batch's text positions and vectors (for checkpoints)."""
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    if not texts:
        return out
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    size = max(1, getattr(embedder, "batch_size", 16))
    from tqdm import tqdm

    report = progress if callable(progress) else None
    with tqdm(total=len(texts), desc=f"embedding with {embedder.name}", unit="chunk",
              disable=progress is not True) as bar:
        for b in range(0, len(order), size):
            idx = order[b : b + size]
            out[idx] = embedder.embed_batch([texts[i] for i in idx], "document")
            if on_batch is not None:
                on_batch(idx, out[idx])
            bar.update(len(idx))
            if report is not None:
                report(min(b + size, len(order)), len(order))
    return out
