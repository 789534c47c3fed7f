"""One look at the corpus folder, shared by every step of a start: its fingerprint and its ingest.

A cold progressive start checks the index, builds the keyword-only pass, builds the dense index
and loads it; each step used to fingerprint the folder (hashing every byte) and two of them to
ingest it. A `CorpusSnapshot` is made once and handed to all of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rag.index.manifest import corpus_fingerprint
from rag.ingest import IngestResult, load_corpus


@dataclass(frozen=True)
class CorpusSnapshot:
    """The corpus folder's fingerprint (taken when the snapshot is made) and its ingest result
    (read on first use, then kept: a start that finds its index current never ingests)."""

    corpus_dir: Path
    fingerprint: str

    @classmethod
    def of(cls, corpus_dir: Path) -> CorpusSnapshot:
        """Fingerprint the folder now; ingest it when first asked."""
        return cls(corpus_dir, corpus_fingerprint(corpus_dir))

    @cached_property
    def _loaded(self) -> tuple[IngestResult, float]:
        t = time.perf_counter()
        result = load_corpus(self.corpus_dir)
        return result, time.perf_counter() - t

    @property
    def ingest(self) -> IngestResult:
        """The folder's articles and ingest accounting (ingested once per snapshot)."""
        return self._loaded[0]

    @property
    def ingest_seconds(self) -> float:
        """How long the one ingest took."""
        return self._loaded[1]
