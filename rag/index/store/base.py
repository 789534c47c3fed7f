"""The vector-store contract, small and backend-neutral: string ids, unit vectors, inner product."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class VectorStore(Protocol):
    """Holds one unit vector per string id and finds the nearest by inner product (= cosine)."""

    dim: int

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Add or replace vectors under these ids."""
        ...

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The k best (id, score) pairs, best first."""
        ...

    def delete(self, ids: Sequence[str]) -> int:
        """Remove these ids (unknown ones are ignored); return how many were removed."""
        ...

    def save(self, directory: Path) -> None:
        """Write the store's files into `directory` (which the caller then swaps into place)."""
        ...

    def __len__(self) -> int:
        """Number of vectors held."""
        ...

    def close(self) -> None:
        """Release connections (a no-op for in-process stores)."""
        ...
