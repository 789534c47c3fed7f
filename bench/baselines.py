"""The two baselines, over the same chunk texts: BM25 alone (bm25s over plain jieba words), and the
stock LangChain stack (langchain-community FAISS + langchain-huggingface HuggingFaceEmbeddings
with the same model folder, defaults otherwise: fp32, no prompts, L2 flat index, pickled docstore)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.measure import PeakRSS, dir_bytes, summarize_ms, time_calls
from bench.sampled import in_sample, standin_vectors


def bm25_baseline(ids: Sequence[str], texts: Sequence[str], queries: Sequence[str],
                  scratch: Path, *, repeat: int = 1) -> dict[str, Any]:
    """Build and query bm25s over jieba words (no stopwords, no bigrams, no fusion)."""
    import bm25s
    import jieba

    tok = jieba.Tokenizer()
    tok.tmp_dir = str(scratch)
    tok.initialize()
    with PeakRSS() as rss:
        t0 = time.perf_counter()
        corpus = [tok.lcut(t) or [""] for t in texts]
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        build_s = time.perf_counter() - t0
    bm25.save(str(scratch / "bm25"), allow_pickle=False, show_progress=False)
    vocab = bm25.vocab_dict

    def search(q: str) -> list[str]:
        known = [w for w in tok.lcut(q) if w in vocab]
        if not known:
            return []
        docs, _ = bm25.retrieve([known], k=min(5, len(ids)), show_progress=False, n_threads=1)
        return [ids[i] for i in docs[0]]

    search_ms, _ = time_calls(search, queries, repeat=repeat)
    size = dir_bytes(scratch / "bm25")
    return {"keyword_s": round(build_s, 2), "keyword_chunks_per_s": round(len(texts) / build_s, 1),
            "wall_s": round(build_s, 2), **rss.report(), "disk_bytes": size,
            "disk_bytes_per_chunk": round(size / len(texts)) if texts else None,
            "search_ms": summarize_ms(search_ms), "query_embed_ms": {"n": 0}}


def langchain_embeddings(model_path: str | None, fake: Any = None) -> Any:
    """HuggingFaceEmbeddings over the local model folder (stock settings), or, for smoke tests,
    a LangChain Embeddings adapter over the fake embedder."""
    if model_path is None:
        from langchain_core.embeddings import Embeddings

        class _Adapter(Embeddings):
            def embed_documents(self, texts: list[str]) -> list[list[float]]:
                return fake.embed_batch(texts, "document").tolist()

            def embed_query(self, text: str) -> list[float]:
                return fake.embed_batch([text], "query")[0].tolist()

        return _Adapter()
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(model_name=model_path, model_kwargs={"device": "cpu"})


def langchain_baseline(embeddings: Any, ids: Sequence[str], texts: Sequence[str],
                       queries: Sequence[str], scratch: Path, *, rate: float, dim: int,
                       repeat: int = 1) -> tuple[dict[str, Any], Any]:
    """Encode the same sample of chunks, fill the rest with stand-ins, build FAISS, time queries.
    Returns the figures and the LangChain store (for the accuracy comparison)."""
    from langchain_community.vectorstores import FAISS

    picked = [i for i, t in enumerate(texts) if in_sample(t, rate)]
    vectors = standin_vectors(texts, dim)
    with PeakRSS() as rss:
        t0 = time.perf_counter()
        if picked:
            real = embeddings.embed_documents([texts[i] for i in picked])
            vectors[picked] = np.asarray(real, dtype=np.float32)
        embed_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        store = FAISS.from_embeddings(list(zip(texts, vectors.tolist(), strict=True)), embeddings,
                                      metadatas=[{"chunk_id": i} for i in ids], ids=list(ids))
        store_s = time.perf_counter() - t1
    store.save_local(str(scratch / "langchain"))
    per_s = len(picked) / embed_s if picked and embed_s > 0 else None
    dense_s = (len(texts) / per_s if per_s else 0.0) + store_s
    embed_ms, _ = time_calls(embeddings.embed_query, queries, repeat=repeat)
    search_ms, _ = time_calls(lambda q: store.similarity_search_with_score(q, k=5), queries,
                              repeat=repeat)
    size = dir_bytes(scratch / "langchain")
    return {"dense_embedded": len(picked), "dense_sampled": len(picked) < len(texts),
            "dense_chunks_per_s": round(per_s, 2) if per_s else None, "dense_s": round(dense_s, 2),
            "store_s": round(store_s, 2), "wall_s": round(dense_s, 2), **rss.report(),
            "disk_bytes": size, "disk_bytes_per_chunk": round(size / len(texts)) if texts else None,
            "search_ms": summarize_ms(search_ms), "query_embed_ms": summarize_ms(embed_ms)}, store
