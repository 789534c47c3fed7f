"""A content-addressed cache of embeddings, so unchanged chunks are never embedded twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.errors import IndexCorruptError

VECTORS_FILE = "embeddings.npy"
KEYS_FILE = "embeddings.json"


def cache_key(fingerprint: str, embed_text: str) -> str:
    """sha256 of the model fingerprint and the exact embedded text."""
    return hashlib.sha256(f"{fingerprint}\n{embed_text}".encode()).hexdigest()


class EmbeddingCache:
    """key -> vector; saved as one .npy matrix plus a JSON list of keys (no pickle)."""

    def __init__(self, dim: int, keys: Sequence[str] = (), vectors: np.ndarray | None = None) -> None:
        self.dim = dim
        self._vectors = vectors if vectors is not None else np.zeros((0, dim), dtype=np.float32)
        self._rows = {k: i for i, k in enumerate(keys)}

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def get(self, keys: Sequence[str]) -> np.ndarray:
        """Vectors of keys that are all present."""
        return np.asarray(self._vectors[[self._rows[k] for k in keys]], dtype=np.float32)

    @classmethod
    def from_pairs(cls, dim: int, keys: Sequence[str], vectors: np.ndarray) -> EmbeddingCache:
        """A cache holding exactly these keys (duplicates keep the first vector)."""
        first: dict[str, int] = {}
        for i, k in enumerate(keys):
            first.setdefault(k, i)
        rows = list(first.values())
        return cls(dim, list(first), np.asarray(vectors, dtype=np.float32)[rows].reshape(-1, dim))

    def save(self, directory: Path) -> None:
        """Write the matrix and the key list."""
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / VECTORS_FILE, np.ascontiguousarray(self._vectors), allow_pickle=False)
        (directory / KEYS_FILE).write_text(json.dumps({"dim": self.dim, "keys": list(self._rows)}),
                                           encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, dim: int) -> EmbeddingCache:
        """The cache saved in `directory`; an empty one when it is absent or was made for another dim."""
        if not (directory / KEYS_FILE).is_file():
            return cls(dim)
        try:
            meta = json.loads((directory / KEYS_FILE).read_text(encoding="utf-8"))
            vectors = np.load(directory / VECTORS_FILE, allow_pickle=False, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"cannot read the embedding cache in {directory}: {exc}",
                                    hint="run `rag index --force` to rebuild it") from exc
        if meta.get("dim") != dim or vectors.shape != (len(meta.get("keys", [])), dim):
            return cls(dim)
        return cls(dim, meta["keys"], vectors)
