"""An embedder wrapper that lets the eval's own retrieval reuse the query vectors of the answer.

The runner times `pipeline.ask` (which embeds the question) and then calls `pipeline.search`
with the same question for the retrieval metrics. Embedding it again would double the eval's
model time; this wrapper remembers the query batches of the current question and serves them
only inside `replay()`, so the timed answer path always runs the real model.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np


class QueryMemo:
    """Wraps an Embedder; same name, dim and fingerprint, so an index built with one opens with the other."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.dim: int = inner.dim
        self.fingerprint: str = inner.fingerprint
        self.batch_size: int = getattr(inner, "batch_size", 16)
        self._seen: dict[tuple[str, ...], np.ndarray] = {}
        self._replaying = False
        self.served = 0

    def embed_batch(self, texts: Sequence[str], kind: str) -> np.ndarray:
        """The inner embedder's vectors; remembered query batches are served inside replay()."""
        key = tuple(texts)
        if kind == "query" and self._replaying and key in self._seen:
            self.served += 1
            return self._seen[key].copy()
        vectors: np.ndarray = self.inner.embed_batch(texts, kind)
        if kind == "query":
            self._seen[key] = vectors.copy()
        return vectors

    def forget(self) -> None:
        """Drop what was remembered (the runner calls it before each question)."""
        self._seen.clear()

    @contextmanager
    def replay(self) -> Iterator[None]:
        """Serve remembered query vectors while inside the block."""
        self._replaying = True
        try:
            yield
        finally:
            self._replaying = False
