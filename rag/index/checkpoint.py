"""Vectors of an unfinished build, saved part by part while it embeds, so that a build interrupted
after hours of encoding (a restart, a crash, Ctrl-C) resumes where it stopped.

Each part is a `.npy` matrix plus a JSON list of its cache keys (content hashes that include the
model fingerprint, so vectors of another model never match), written to a temporary name and
renamed. A damaged or foreign part is skipped: it is only a cache. The folder is removed once a
build is published.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

CHECKPOINT_DIR = ".embed-checkpoint"
EVERY = 256  # chunks between two saved parts (~2 min of encoding on 2 cores)


class EmbeddingCheckpoint:
    """Append-only parts of (key, vector) pairs in one folder."""

    def __init__(self, directory: Path, dim: int) -> None:
        self.directory = directory
        self.dim = dim
        self._keys: list[str] = []
        self._rows: list[np.ndarray] = []

    def load(self) -> tuple[list[str], np.ndarray]:
        """Every saved (key, vector) pair of this dimension."""
        keys: list[str] = []
        parts: list[np.ndarray] = []
        for meta_file in sorted(self.directory.glob("part-*.json")):
            try:
                meta = json.loads(meta_file.read_text(encoding="utf-8"))
                vectors = np.load(meta_file.with_suffix(".npy"), allow_pickle=False)
                if meta.get("dim") != self.dim or vectors.shape != (len(meta["keys"]), self.dim):
                    continue
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("skipping a damaged embedding checkpoint part %s: %s", meta_file, exc)
                continue
            keys.extend(meta["keys"])
            parts.append(vectors.astype(np.float32, copy=False))
        matrix = np.concatenate(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)
        return keys, matrix

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Buffer pairs; a part is written every EVERY pairs."""
        self._keys.extend(keys)
        self._rows.append(np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim))
        if len(self._keys) >= EVERY:
            self.flush()

    def flush(self) -> None:
        """Write the buffered pairs as one part."""
        if not self._keys:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        n = len(list(self.directory.glob("part-*.json")))
        name = f"part-{n:06d}-{os.getpid()}"
        tmp_npy = self.directory / f".{name}.npy"
        np.save(tmp_npy, np.concatenate(self._rows), allow_pickle=False)
        os.replace(tmp_npy, self.directory / f"{name}.npy")
        tmp_json = self.directory / f".{name}.json"
        tmp_json.write_text(json.dumps({"dim": self.dim, "keys": self._keys}), encoding="utf-8")
        os.replace(tmp_json, self.directory / f"{name}.json")  # the part counts once this exists
        self._keys, self._rows = [], []

    def clear(self) -> None:
        """Remove every part (after a published build)."""
        self._keys, self._rows = [], []
        shutil.rmtree(self.directory, ignore_errors=True)
