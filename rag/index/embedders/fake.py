"""A deterministic keyword encoder for tests: hashed character unigrams and bigrams, one-hot counts."""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence

import numpy as np

from rag.index.embedders.base import Kind, normalize_rows

_WORD = re.compile(r"[a-z0-9]+|[^\W\d_a-z]", re.UNICODE)


def _features(text: str) -> list[str]:
    tokens = _WORD.findall(unicodedata.normalize("NFKC", text).lower())
    return tokens + [a + b for a, b in zip(tokens, tokens[1:], strict=False)]


class FakeEmbedder:
    """Texts sharing characters get similar vectors; the same text always gets the same vector."""

    def __init__(self, dim: int = 512, batch_size: int = 64) -> None:
        self.name = "fake"
        self.dim = dim
        self.fingerprint = f"fake-char-bigram-v1-{dim}"
        self.batch_size = batch_size
        self.calls = 0  # texts embedded so far; tests read it to check incremental indexing

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Hashed unigram+bigram counts, L2-normalised."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in _features(text):
                out[row, zlib.crc32(feat.encode("utf-8")) % self.dim] += 1.0
        self.calls += len(texts)
        return normalize_rows(out)
