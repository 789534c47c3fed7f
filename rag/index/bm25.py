"""One BM25 index as a term-major sparse matrix of precomputed scores, built with numpy.

Same scoring as bm25s' default ("lucene": idf = ln(1 + (N - df + .5) / (df + .5)), tf part
tf / (tf + k1 (1 - b + b dl / avgdl))), but built without a Python loop per (document, term):
68k news reports (about 170k chunks, 55M bigrams) index in seconds, where bm25s took minutes.
Saved as .npy arrays (loaded without pickle) and a JSON vocabulary.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

FORMAT = "rag-bm25-matrix-v1"
_ARRAYS = ("data", "indices", "indptr")


class Bm25:
    """Postings of each term (documents and their BM25 weight), in one CSC-like matrix."""

    def __init__(self, vocab: dict[str, int], data: np.ndarray, indices: np.ndarray,
                 indptr: np.ndarray, n_docs: int) -> None:
        self.vocab = vocab
        self.data = data        # float32 weight of each posting
        self.indices = indices  # int32 document of each posting
        self.indptr = indptr    # int64: term t's postings are [indptr[t], indptr[t + 1])
        self.n_docs = n_docs

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]], *, k1: float = 1.5, b: float = 0.75) -> Bm25:
        """Index token lists, one per document (an empty one matches nothing)."""
        n = len(docs)
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=n)
        flat: list[str] = []
        for tokens in docs:
            flat.extend(tokens)
        vocab = {t: i for i, t in enumerate(dict.fromkeys(flat))}
        term = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
        del flat
        doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
        return cls.from_postings(doc, term, vocab, n, k1=k1, b=b)

    @classmethod
    def from_postings(cls, doc: np.ndarray, term: np.ndarray, vocab: dict[str, int], n_docs: int,
                      *, k1: float = 1.5, b: float = 0.75) -> Bm25:
        """Index one (document, term id) pair per token occurrence, in any order; `vocab` maps
        each term to its id (ids 0..len(vocab)-1)."""
        n = max(n_docs, 1)
        lengths = np.bincount(doc, minlength=n_docs).astype(np.float64)
        keys = term.astype(np.int64) * n + doc
        keys.sort()
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        starts = np.flatnonzero(first)
        tf = np.diff(np.append(starts, len(keys))).astype(np.float32)
        pairs = keys[starts]
        del keys, first, starts
        term_of = pairs // n
        doc_of = (pairs % n).astype(np.int32)
        del pairs
        df = np.bincount(term_of, minlength=len(vocab))
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        avgdl = float(lengths.mean()) if n_docs and lengths.any() else 1.0
        norm = (k1 * (1 - b + b * lengths / avgdl)).astype(np.float32)
        data = (idf[term_of] * tf / (tf + norm[doc_of])).astype(np.float32)
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        return cls(vocab, data, doc_of, indptr, n_docs)

    def document_frequency(self, token: str) -> int:
        """How many documents hold `token` (0 for a token not in the vocabulary)."""
        t = self.vocab.get(token)
        return 0 if t is None else int(self.indptr[t + 1] - self.indptr[t])

    def scores(self, tokens: Iterable[str]) -> np.ndarray:
        """BM25 score of every document for a query's tokens (a repeated token counts again)."""
        ids = [self.vocab[t] for t in tokens if t in self.vocab]
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float32)
        spans = [(int(self.indptr[i]), int(self.indptr[i + 1])) for i in ids]
        docs = np.concatenate([self.indices[s:e] for s, e in spans])
        weights = np.concatenate([self.data[s:e] for s, e in spans])
        return np.bincount(docs, weights=weights, minlength=self.n_docs).astype(np.float32)

    def top(self, tokens: Iterable[str], k: int,
            allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best (document, score) pairs with a positive score, best first (ties: lower
        document first); only documents whose entry in the boolean mask `allowed` is set."""
        s = self.scores(tokens)
        if allowed is not None:
            s = np.where(allowed, s, np.float32(0))
        if k <= 0 or not len(s):
            return []
        if k < len(s):
            part = np.argpartition(-s, k - 1)[:k]
            # the k-th score may be tied beyond the partition: take every document at or above it
            cut = s[part].min()
            part = np.flatnonzero(s >= cut) if cut > 0 else part
        else:
            part = np.arange(len(s))
        order = part[np.lexsort((part, -s[part]))][:k]
        return [(int(i), float(s[i])) for i in order if s[i] > 0]

    def save(self, directory: Path) -> None:
        """Write the arrays (.npy) and the vocabulary (JSON, in term-id order)."""
        directory.mkdir(parents=True, exist_ok=True)
        for name in _ARRAYS:
            np.save(directory / f"{name}.npy", getattr(self, name), allow_pickle=False)
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        meta = {"format": FORMAT, "n_docs": self.n_docs, "terms": terms}
        (directory / "vocab.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Bm25:
        """Read an index written by `save`; ValueError/OSError/KeyError if it is damaged."""
        meta = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"unknown BM25 format {meta.get('format')!r}")
        arrays = {name: np.load(directory / f"{name}.npy", allow_pickle=False) for name in _ARRAYS}
        vocab = {t: i for i, t in enumerate(meta["terms"])}
        n = int(meta["n_docs"])
        data, indices, indptr = arrays["data"], arrays["indices"], arrays["indptr"]
        if (len(indptr) != len(vocab) + 1 or len(data) != len(indices) or int(indptr[-1]) != len(data)
                or (len(indices) and (int(indices.max()) >= n or int(indices.min()) < 0))):
            raise ValueError("BM25 arrays do not fit together")
        return cls(vocab, data.astype(np.float32, copy=False), indices.astype(np.int32, copy=False),
                   indptr.astype(np.int64, copy=False), n)
