"""An embedder wrapper that, while `sampling` is on, really encodes only a sample of the documents
and gives the others stand-in vectors, timing the real part: dense encoding of 68k reports on
2 cores takes hours, but its rate per chunk does not depend on the corpus size.

Stand-ins are random unit vectors seeded by the text (deterministic). Their cosine with any real
query is about 0 +- 0.04, so the search cost over the full-size store is faithful while retrieval
quality is not: quality figures are only reported where nothing was sampled.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

import numpy as np

from rag.index.embedders import Embedder, normalize_rows


def standin_vectors(texts: Sequence[str], dim: int) -> np.ndarray:
    """Random unit vectors, one per text, seeded by the text's hash."""
    out = np.empty((len(texts), dim), dtype=np.float32)
    for i, t in enumerate(texts):
        seed = int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little")
        out[i] = np.random.default_rng(seed).standard_normal(dim, dtype=np.float32)
    return normalize_rows(out)


def in_sample(text: str, rate: float) -> bool:
    """Whether a text is in the sample: a hash test, so the sample is spread over all lengths."""
    if rate >= 1:
        return True
    h = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")
    return h / 2**64 < rate


class SampledEmbedder:
    """Wraps an embedder; queries are always real, documents are real only for the sample."""

    def __init__(self, inner: Embedder, rate: float = 1.0) -> None:
        self.inner = inner
        self.rate = rate
        self.name = inner.name
        self.dim = inner.dim
        self.fingerprint = inner.fingerprint if rate >= 1 else f"{inner.fingerprint}-sampled"
        self.batch_size = getattr(inner, "batch_size", 16)
        self.sampling = False
        self.real_texts = 0
        self.standin_texts = 0
        self.real_seconds = 0.0

    def embed_batch(self, texts: Sequence[str], kind: str) -> np.ndarray:
        """Real vectors for queries and sampled documents; stand-ins for the rest while sampling."""
        if not self.sampling or kind == "query":
            return self.inner.embed_batch(texts, kind)  # type: ignore[arg-type]
        picked = [i for i, t in enumerate(texts) if in_sample(t, self.rate)]
        out = standin_vectors(texts, self.dim)
        if picked:
            t0 = time.perf_counter()
            out[picked] = self.inner.embed_batch([texts[i] for i in picked], "document")
            self.real_seconds += time.perf_counter() - t0
        self.real_texts += len(picked)
        self.standin_texts += len(texts) - len(picked)
        return out

    def rate_per_s(self) -> float | None:
        """Real documents encoded per second while sampling."""
        return self.real_texts / self.real_seconds if self.real_seconds > 0 else None
