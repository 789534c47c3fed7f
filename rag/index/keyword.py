"""BM25 over jieba words and over character bigrams (rag.index.bm25), saved as JSON + .npy (no pickle)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from rag.errors import IndexCorruptError
from rag.index.bm25 import Bm25

Variant = Literal["words", "bigrams"]
VARIANTS: tuple[Variant, ...] = ("words", "bigrams")
META_FILE = "keyword.json"
FORMAT = "rag-bm25-v2"  # v2: own BM25 matrix, rjieba words

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


_ASCII = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_SHIFT = 21  # code points fit in 21 bits: a bigram is (first << 21) | second, a lone character first << 21


def _is_han(cp: np.ndarray) -> np.ndarray:
    return ((cp >= 0x3400) & (cp <= 0x9FFF)) | ((cp >= 0xF900) & (cp <= 0xFAFF))


def bigram_postings(normed: Sequence[str]) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The tokens of `bigram_tokens` for many texts at once (already `_norm`ed), as one
    (document, term id) pair per occurrence plus the vocabulary. Vectorised over the whole
    corpus: no Python string per bigram, ~10x faster than tokenizing text by text."""
    joined = "\x00".join(normed)
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    starts = np.zeros(len(normed), dtype=np.int64)
    if len(normed) > 1:
        starts[1:] = np.cumsum(np.fromiter(map(len, normed), dtype=np.int64, count=len(normed)) + 1)[:-1]
    han = _is_han(cp)
    prev = np.zeros_like(han)
    prev[1:] = han[:-1]
    nxt = np.zeros_like(han)
    nxt[:-1] = han[1:]
    pair_at = np.flatnonzero(han & nxt)
    lone_at = np.flatnonzero(han & ~prev & ~nxt)
    codes = np.concatenate([(cp[pair_at] << _SHIFT) | cp[pair_at + 1], cp[lone_at] << _SHIFT])
    at = np.concatenate([pair_at, lone_at])
    del cp, han, prev, nxt
    words: dict[str, int] = {}
    ascii_at: list[int] = []
    ascii_ids: list[int] = []
    for m in _ASCII.finditer(joined):
        ascii_at.append(m.start())
        ascii_ids.append(words.setdefault(m.group(), len(words)))
    uniq, han_term = np.unique(codes, return_inverse=True)
    # the terms' text: two UTF-32 code units per term (numpy drops a trailing NUL: lone characters)
    units = np.stack([uniq >> _SHIFT, uniq & ((1 << _SHIFT) - 1)], axis=1).astype("<u4")
    vocab = {t: i for i, t in enumerate(units.view("<U2").reshape(-1).tolist())}
    offset = len(vocab)
    for word, i in words.items():
        vocab[word] = offset + i
    term = np.concatenate([han_term.reshape(-1), np.asarray(ascii_ids, dtype=np.int64) + offset])
    at = np.concatenate([at, np.asarray(ascii_at, dtype=np.int64)])
    doc = np.searchsorted(starts, at, side="right") - 1
    return doc, term, vocab


class WordTokenizer:
    """jieba search-mode segmentation (rjieba: jieba's dictionary and algorithm in Rust, ~13x the
    speed of the Python jieba here) with Chinese stopwords dropped."""

    def __init__(self) -> None:
        from bm25s.stopwords import STOPWORDS_CHINESE

        self._stop = frozenset(STOPWORDS_CHINESE)

    def __call__(self, text: str) -> list[str]:
        """Words of `text`, lower-cased, without stopwords, punctuation or spaces."""
        return self.normed(_norm(text))

    def normed(self, text: str) -> list[str]:
        """Words of a text already passed through `_norm`."""
        import rjieba

        stop = self._stop
        return [w for w in rjieba.cut_for_search(text) if w not in stop and _RUN.search(w)]


class KeywordIndex:
    """Two BM25 indexes over the same chunks: jieba words and character bigrams."""

    def __init__(self, ids: Sequence[str], indexes: dict[Variant, Bm25],
                 tokenizer: WordTokenizer | None = None,
                 words: dict[str, list[str]] | None = None) -> None:
        self.ids = list(ids)
        self._indexes = indexes
        self._words = tokenizer or WordTokenizer()
        # normalised text -> its jieba words, kept when built by `updated`: the next one cuts
        # only new texts; raw text -> normalised text, for the same reason (NFKC is not free)
        self._doc_words = words
        self._normed: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def tokens(self, text: str, variant: Variant) -> list[str]:
        """The query/document tokens of one variant."""
        return self._words(text) if variant == "words" else bigram_tokens(text)

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> KeywordIndex:
        """Index `texts` (one per id) with both variants."""
        return cls._build(ids, texts, WordTokenizer(), {}, keep=False)

    @classmethod
    def _build(cls, ids: Sequence[str], texts: Sequence[str], tokenizer: WordTokenizer,
               known: dict[str, list[str]], *, keep: bool,
               normed_of: dict[str, str] | None = None) -> KeywordIndex:
        memo = normed_of or {}
        normed = [memo[t] if t in memo else _norm(t) for t in texts]
        doc, term, vocab = bigram_postings(normed)
        words = [known[t] if t in known else tokenizer.normed(t) for t in normed]
        indexes = {
            "words": Bm25.build(words),
            "bigrams": Bm25.from_postings(doc, term, vocab, len(texts)),
        }
        kept = dict(zip(normed, words, strict=True)) if keep else None
        index = cls(ids, indexes, tokenizer, kept)  # type: ignore[arg-type]
        if keep:
            index._normed = dict(zip(texts, normed, strict=True))
        return index

    def updated(self, ids: Sequence[str], texts: Sequence[str]) -> KeywordIndex:
        """A new index over `texts` (BM25 statistics are corpus-wide, so every score is computed
        again), cutting into words only the texts this index has not cut before; the first
        update of an index read from disk cuts them all. The new index keeps its texts' words
        in memory for the next update (a few hundred bytes per chunk)."""
        return self._build(ids, texts, self._words, self._doc_words or {}, keep=True,
                           normed_of=self._normed)

    def remember_words(self, texts: Sequence[str]) -> None:
        """Cut `texts` (this index's chunk texts) into words now, so that `updated` need not:
        a server does it in the background after opening the index."""
        normed = [_norm(t) for t in texts]
        known = self._doc_words or {}
        self._doc_words = {t: known[t] if t in known else self._words.normed(t) for t in normed}
        self._normed = dict(zip(texts, normed, strict=True))

    def idf(self, term: str) -> float:
        """How rare a word is in these chunks: ln(1 + (N - df + 0.5) / (df + 0.5)), with df the chunks
        holding it as a jieba word, else (a word jieba cuts otherwise here) at most the chunks
        holding its rarest character bigram. 0.0 for a word no chunk holds: it says nothing about
        which chunk answers (a paraphrase, a typo, or a subject the corpus lacks)."""
        n = len(self.ids)
        t = _norm(term)
        df = self._indexes["words"].document_frequency(t)
        if not df:
            grams = bigram_tokens(t)
            bigrams = self._indexes["bigrams"]
            df = min((bigrams.document_frequency(g) for g in grams), default=0)
        return float(np.log1p((n - df + 0.5) / (df + 0.5))) if df else 0.0

    def scores(self, query: str, variant: Variant) -> np.ndarray:
        """BM25 score of every chunk (aligned with `ids`) for `query`."""
        return self._indexes[variant].scores(self.tokens(query, variant))

    def search(self, query: str, k: int, variant: Variant,
               allowed: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The k best (id, score) pairs with a positive score, best first (only ids whose entry
        in the boolean mask `allowed`, aligned with `ids`, is set)."""
        top = self._indexes[variant].top(self.tokens(query, variant), k, allowed)
        return [(self.ids[i], s) for i, s in top]

    def save(self, directory: Path) -> None:
        """Write both BM25 indexes (.npy arrays + JSON vocabularies) and the id list."""
        directory.mkdir(parents=True, exist_ok=True)
        for variant, bm25 in self._indexes.items():
            bm25.save(directory / variant)
        meta = {"format": FORMAT, "ids": self.ids, "variants": list(self._indexes)}
        (directory / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex:
        """Read an index written by `save`."""
        try:
            meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                raise IndexCorruptError(
                    f"keyword index in {directory} has format {meta.get('format')!r}, not {FORMAT!r}",
                    hint="run `rag index --force` to rebuild it")
            indexes = {variant: Bm25.load(directory / variant) for variant in VARIANTS}
            if any(bm25.n_docs != len(meta["ids"]) for bm25 in indexes.values()):
                raise ValueError("the BM25 indexes and the id list disagree")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"cannot read the keyword index in {directory}: {exc}",
                                    hint="run `rag index --force` to rebuild it") from exc
        return cls(meta["ids"], indexes)  # type: ignore[arg-type]
