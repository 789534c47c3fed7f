"""BM25 (bm25s) over jieba words and over character bigrams, saved as JSON + .npy (no pickle)."""

from __future__ import annotations

import functools
import json
import logging
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from rag.errors import IndexCorruptError

Variant = Literal["words", "bigrams"]
VARIANTS: tuple[Variant, ...] = ("words", "bigrams")
META_FILE = "keyword.json"
FORMAT = "rag-bm25-v1"

# Runs of Han characters, or of ASCII letters/digits (kept whole: "62", "5g", "covid").
_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:\.[0-9]+)?")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def bigram_tokens(text: str) -> list[str]:
    """Character bigrams of Han runs (a lone character stays a unigram); ASCII words whole."""
    out: list[str] = []
    for run in _RUN.findall(_norm(text)):
        if run[0].isascii() or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


@functools.lru_cache(maxsize=1)
def _jieba(cache_dir: str | None) -> Any:
    """One initialised jieba tokenizer per process: its dictionary takes 1-2 s and ~150 MB to load,
    is never modified afterwards, and jieba itself keeps a process-wide one (we avoid its /tmp cache)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        tokenizer.tmp_dir = cache_dir
    else:
        tokenizer.tmp_dir = tempfile.gettempdir()
    tokenizer.initialize()
    return tokenizer


def _bm25s() -> Any:
    """bm25s, imported lazily; it sets its own logger to DEBUG on import, which we undo."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class WordTokenizer:
    """jieba search-mode segmentation with Chinese stopwords dropped; jieba's cache kept in cache_dir.

    The dictionary is loaded on first use, so opening an index stays fast.
    """

    def __init__(self, cache_dir: Path | None = None) -> None:
        from bm25s.stopwords import STOPWORDS_CHINESE

        self._cache_dir = str(cache_dir) if cache_dir is not None else None
        self._stop = frozenset(STOPWORDS_CHINESE)

    def __call__(self, text: str) -> list[str]:
        """Words of `text`, lower-cased, without stopwords, punctuation or spaces."""
        words = _jieba(self._cache_dir).lcut_for_search(_norm(text))
        return [w for w in words if w.strip() and w not in self._stop and _RUN.search(w)]


class KeywordIndex:
    """Two BM25 indexes over the same chunks: jieba words and character bigrams."""

    def __init__(self, ids: Sequence[str], indexes: dict[Variant, object],
                 tokenizer: WordTokenizer) -> None:
        self.ids = list(ids)
        self._indexes = indexes
        self._words = tokenizer

    def __len__(self) -> int:
        return len(self.ids)

    def tokens(self, text: str, variant: Variant) -> list[str]:
        """The query/document tokens of one variant."""
        return self._words(text) if variant == "words" else bigram_tokens(text)

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str], *,
              cache_dir: Path | None = None) -> KeywordIndex:
        """Index `texts` (one per id) with both variants."""
        bm25s = _bm25s()
        tokenizer = WordTokenizer(cache_dir)
        indexes: dict[Variant, object] = {}
        for variant in VARIANTS:
            corpus = [(tokenizer(t) if variant == "words" else bigram_tokens(t)) or [""]
                      for t in texts]
            bm25 = bm25s.BM25()
            if corpus:
                bm25.index(corpus, show_progress=False)
            indexes[variant] = bm25
        return cls(ids, indexes, tokenizer)

    def scores(self, query: str, variant: Variant) -> np.ndarray:
        """BM25 score of every chunk (aligned with `ids`) for `query`."""
        bm25 = self._indexes[variant]
        if not self.ids:
            return np.zeros(0, dtype=np.float32)
        known = [t for t in self.tokens(query, variant) if t in bm25.vocab_dict]  # type: ignore[attr-defined]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(bm25.get_scores(known), dtype=np.float32)  # type: ignore[attr-defined]

    def search(self, query: str, k: int, variant: Variant) -> list[tuple[str, float]]:
        """The k best (id, score) pairs with a positive score, best first."""
        s = self.scores(query, variant)
        top = np.argsort(-s, kind="stable")[:k]
        return [(self.ids[i], float(s[i])) for i in top if s[i] > 0]

    def save(self, directory: Path) -> None:
        """Write both BM25 indexes (bm25s: .npy without pickle + JSON vocab) and the id list."""
        directory.mkdir(parents=True, exist_ok=True)
        for variant, bm25 in self._indexes.items():
            if self.ids:
                bm25.save(str(directory / variant), allow_pickle=False, show_progress=False)  # type: ignore[attr-defined]
        meta = {"format": FORMAT, "ids": self.ids, "variants": list(self._indexes)}
        (directory / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, *, cache_dir: Path | None = None) -> KeywordIndex:
        """Read an index written by `save`."""
        bm25s = _bm25s()
        try:
            meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            indexes: dict[Variant, object] = {}
            for variant in VARIANTS:
                indexes[variant] = (bm25s.BM25.load(str(directory / variant), allow_pickle=False)
                                    if meta["ids"] else bm25s.BM25())
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorruptError(f"cannot read the keyword index in {directory}: {exc}",
                                    hint="run `rag index` to rebuild it") from exc
        if meta.get("format") != FORMAT:
            raise IndexCorruptError(f"keyword index in {directory} has format {meta.get('format')!r}")
        return cls(meta["ids"], indexes, WordTokenizer(cache_dir))
