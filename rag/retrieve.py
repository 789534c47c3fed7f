"""Hybrid retrieval: dense (FAISS) and keyword (BM25 words + bigrams) fused by weighted RRF,
grouped to paragraphs, near-duplicates collapsed. Also a LangChain retriever for the chain."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal, Protocol

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.config import Settings
from rag.errors import InvalidQuestionError
from rag.index.embedders import Embedder, embed_query
from rag.index.keyword import bigram_tokens
from rag.index.loaded import LoadedIndex
from rag.records import Hit, MetadataFilter
from rag.validate import check_question

Mode = Literal["hybrid", "dense", "keyword"]
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MODES: tuple[Mode, ...] = ("hybrid", "dense", "keyword")
Ranking = list[tuple[str, float]]


class Retriever(Protocol):
    """Anything that ranks paragraphs for a query (HybridRetriever; a keyword fake in tests)."""

    def search(self, query: str, k: int = 5, mode: Mode | None = None, *,
               timings: dict[str, float] | None = None,
               filters: MetadataFilter | None = None) -> list[Hit]:
        """The k best paragraphs for `query`, best first; step timings (ms) into `timings`."""
        ...


def rrf(rankings: list[tuple[Ranking, float]], k: int) -> dict[str, float]:
    """Weighted reciprocal-rank fusion: sum of weight / (k + rank), rank 1-based."""
    fused: dict[str, float] = defaultdict(float)
    for ranking, weight in rankings:
        if weight <= 0:
            continue
        for rank, (id_, _) in enumerate(ranking, start=1):
            fused[id_] += weight / (k + rank)
    return dict(fused)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a & b| / |a | b| (0 for two empty sets)."""
    return len(a & b) / len(a | b) if a or b else 0.0


class HybridRetriever:
    """Finds the paragraphs that answer a query; holds the loaded index and the embedder."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, settings: Settings,
                 pool: ThreadPoolExecutor | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self._chunks_of: dict[str, list[str]] = defaultdict(list)
        for c in index.chunks:
            self._chunks_of[c.paragraph_ids[0]].append(c.chunk_id)
        self._shingles: dict[str, frozenset[str]] = {}
        self._keyword_pool = pool  # shared by the retrievers of successive index generations

    def _shingle(self, paragraph_id: str) -> frozenset[str]:
        if paragraph_id not in self._shingles:
            text = self.index.paragraphs[paragraph_id].text
            self._shingles[paragraph_id] = frozenset(bigram_tokens(text))
        return self._shingles[paragraph_id]

    def _allowed(self, filters: MetadataFilter | None) -> tuple[list[str], np.ndarray] | None:
        """The chunk ids a filter allows, and the same as a mask over the keyword index's ids."""
        if filters is None or not filters.active:
            return None
        articles = {a.article_id for a in self.index.articles if filters.allows(a)}
        ids = [c.chunk_id for c in self.index.chunks if c.article_id in articles]
        by_id = self.index.chunk_by_id
        mask = np.fromiter((by_id[c].article_id in articles for c in self.index.keyword.ids),
                           dtype=bool, count=len(self.index.keyword.ids))
        return ids, mask

    def _dense(self, qvec: np.ndarray, allowed: tuple[list[str], np.ndarray] | None) -> Ranking:
        n = self.settings.retrieval.candidates
        if allowed is None:
            return self.index.store.search(qvec, n)
        within = getattr(self.index.store, "search_within", None)
        if within is not None:
            return list(within(qvec, n, allowed[0]))
        keep = set(allowed[0])  # another backend: over-fetch, then keep the allowed chunks
        found = self.index.store.search(qvec, min(len(self.index.store), n * 20))
        return [(c, s) for c, s in found if c in keep][:n]

    def _keyword(self, query: str, timings: dict[str, float],
                 mask: np.ndarray | None = None) -> tuple[Ranking, Ranking]:
        t = time.perf_counter()
        n = self.settings.retrieval.candidates
        extra = () if mask is None else (mask,)
        words = self.index.keyword.search(query, n, "words", *extra)
        bigrams = self.index.keyword.search(query, n, "bigrams", *extra)
        timings["keyword_ms"] = (time.perf_counter() - t) * 1000
        return words, bigrams

    @property
    def pool(self) -> ThreadPoolExecutor:
        """The threads that run BM25 beside the query embedding (made on first use)."""
        return self._pool()

    def _pool(self) -> ThreadPoolExecutor:
        if self._keyword_pool is None:
            self._keyword_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bm25")
        return self._keyword_pool

    def _mode(self, mode: Mode | None) -> Mode:
        """The mode to search in: `mode`, else the setting; keyword only while vectors are built."""
        mode = mode or self.settings.retrieval.mode
        if mode not in MODES:
            raise InvalidQuestionError(f"unknown retrieval mode {mode!r}; use one of {MODES}")
        if not self.index.dense_ready:  # vectors still being built: keywords only, no embedding
            mode = "keyword"
        return mode

    def _fuse(self, query: str, mode: Mode, dense: Ranking, words: Ranking,
              bigrams: Ranking) -> dict[str, float]:
        """Chunk id -> fused score: the dense scores alone in dense mode, else weighted RRF (the
        keyword rankings weigh less for a query without Han characters)."""
        r = self.settings.retrieval
        if mode == "dense":
            return dict(dense)
        foreign = 1.0 if _HAN.search(query) else r.foreign_query_keyword_weight
        return rrf([(dense, r.dense_weight), (words, r.words_weight * foreign),
                    (bigrams, r.bigrams_weight * foreign)], r.rrf_k)

    def search(self, query: str, k: int = 5, mode: Mode | None = None,
               timings: dict[str, float] | None = None,
               query_vector: np.ndarray | None = None,
               filters: MetadataFilter | None = None) -> list[Hit]:
        """The k best paragraphs for `query`, best first; timings (ms) go into `timings` if given.

        `query_vector` (the embedder's query vector of `query`) skips embedding, for batch evaluation.
        `filters` restricts both the dense and the keyword candidates to the articles it allows
        (before fusion, so k hits come back when k allowed paragraphs match).
        """
        query = check_question(query, what="query")  # `rag search` calls here directly
        mode = self._mode(mode)
        tm: dict[str, float] = {}
        t0 = time.perf_counter()
        allowed = self._allowed(filters)
        mask = None if allowed is None else allowed[1]
        if allowed is not None and not allowed[0]:
            return []
        keyword_job: Future[tuple[Ranking, Ranking]] | None = None
        if mode != "dense" and self.index.dense_ready and query_vector is None:
            # BM25 runs while ONNX Runtime embeds the query (it releases the GIL): off the critical path
            keyword_job = self._pool().submit(self._keyword, query, tm, mask)
        if not self.index.dense_ready:
            qvec = None
        else:
            qvec = embed_query(self.embedder, query) if query_vector is None else query_vector
        tm["embed_ms"] = (time.perf_counter() - t0) * 1000
        dense: Ranking = []
        t = time.perf_counter()
        if mode != "keyword" and qvec is not None:
            dense = self._dense(qvec, allowed)
        tm["dense_ms"] = (time.perf_counter() - t) * 1000
        words: Ranking = []
        bigrams: Ranking = []
        if keyword_job is not None:
            t = time.perf_counter()
            words, bigrams = keyword_job.result()
            tm["keyword_wait_ms"] = (time.perf_counter() - t) * 1000
        elif mode != "dense":
            words, bigrams = self._keyword(query, tm, mask)
        t = time.perf_counter()
        fused = self._fuse(query, mode, dense, words, bigrams)
        hits = self._to_hits(fused, qvec, k, dense, words, bigrams)
        tm["fuse_ms"] = (time.perf_counter() - t) * 1000
        tm["total_ms"] = (time.perf_counter() - t0) * 1000
        if timings is not None:
            timings.update(tm)
        return hits

    def _to_hits(self, fused: dict[str, float], qvec: np.ndarray | None, k: int,
                 dense: Ranking, words: Ranking, bigrams: Ranking) -> list[Hit]:
        dense_rank = {c: i for i, (c, _) in enumerate(dense, start=1)}
        kw_rank: dict[str, int] = {}
        for ranking in (words, bigrams):
            for i, (c, _) in enumerate(ranking, start=1):
                kw_rank[c] = min(i, kw_rank.get(c, i))
        kw_score = {**dict(words), **dict(bigrams)}
        order = sorted(fused, key=lambda c: (-fused[c], dense_rank.get(c, 1 << 30), c))
        kept: list[tuple[str, str]] = []
        seen: set[str] = set()
        dedup = self.settings.retrieval.dedup_jaccard
        for cid in order:
            pid = self.index.chunk_by_id[cid].paragraph_ids[0]
            if pid in seen:
                continue
            seen.add(pid)
            if dedup <= 1 and any(jaccard(self._shingle(pid), self._shingle(p)) >= dedup
                                  for p, _ in kept):
                continue
            kept.append((pid, cid))
            if len(kept) >= k:
                break
        hits = []
        for pid, cid in kept:
            chunk = self.index.chunk_by_id[cid]
            cos = None if qvec is None else float(np.max(self.index.chunk_vectors(self._chunks_of[pid]) @ qvec))
            hits.append(Hit(
                paragraph=self.index.paragraphs[pid], chunk_id=cid, chunk_text=chunk.text,
                score=float(fused[cid]), dense_score=cos,
                keyword_score=kw_score.get(cid), dense_rank=dense_rank.get(cid),
                keyword_rank=kw_rank.get(cid),
            ))
        return hits

    def as_langchain(self, k: int = 5, mode: Mode | None = None) -> NewsRetriever:
        """A langchain_core BaseRetriever returning one Document per hit paragraph."""
        return NewsRetriever(retriever=self, k=k, mode=mode)


def hit_to_document(hit: Hit) -> Document:
    """A Document whose text is the paragraph and whose metadata cites it."""
    p = hit.paragraph
    return Document(
        page_content=p.text,
        id=p.paragraph_id,
        metadata={"paragraph_id": p.paragraph_id, "article_id": p.article_id,
                  "article_title": p.article_title, "score": hit.score,
                  "dense_score": hit.dense_score, "hit": hit.model_dump(mode="json")},
    )


class NewsRetriever(BaseRetriever):
    """Runs HybridRetriever.search and wraps the hits."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 5
    mode: str | None = None

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [hit_to_document(h) for h in self.retriever.search(query, k=self.k, mode=self.mode)]
