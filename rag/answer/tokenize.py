"""A private jieba tokenizer (no global state; its cache goes where settings say, not into the cwd)."""

from __future__ import annotations

import logging
from pathlib import Path


class Tokenizer:
    """Word segmentation and part-of-speech tags for Chinese, loaded lazily on first use."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir
        self._pos = None
        self._memo: dict[str, list[tuple[str, str]]] = {}

    def _tagger(self):  # type: ignore[no-untyped-def]
        if self._pos is None:
            import jieba
            import jieba.posseg

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            if self._cache_dir is not None:
                tk.tmp_dir = str(self._cache_dir)
            self._pos = jieba.posseg.POSTokenizer(tk)
        return self._pos

    def pos(self, text: str) -> list[tuple[str, str]]:
        """(word, part-of-speech flag) pairs."""
        hit = self._memo.get(text)
        if hit is None:
            hit = [(p.word, p.flag) for p in self._tagger().cut(text)]
            if len(self._memo) > 20_000:
                self._memo.clear()
            self._memo[text] = hit
        return hit

    def words(self, text: str) -> list[str]:
        """The words of a text."""
        return [w for w, _ in self.pos(text)]
