"""Flat against HNSW on the same vectors: recall@k of HNSW (flat is exact) and the latency of both.

Run on its own (no model needed):

    python -m bench.ann --docs 10000,full --queries 200

The vectors are the fake encoder's (hashed character n-grams, 768-d, unit length) of the real
report chunks, and the queries are sentences of those reports: text-shaped neighbourhoods, which
random vectors would not have. It measures the index, not the model, so it also tells whether the
`retrieval.faiss_hnsw_above` threshold (flat up to it, HNSW above) costs recall.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.data import DEFAULT_JSONL, known_item_queries, load_jsonl
from bench.measure import summarize_ms

FULL = 68_218


def compare(vectors: np.ndarray, queries: np.ndarray, k: int = 5, *, m: int = 32,
            ef_search: int = 256) -> dict[str, Any]:
    """HNSW recall@k against exact flat search, build time and per-query latency of both."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    t = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    hnsw.add(vectors)
    hnsw.hnsw.efSearch = ef_search
    build_s = time.perf_counter() - t
    flat_ms: list[float] = []
    hnsw_ms: list[float] = []
    hits = 0
    for q in queries:
        t = time.perf_counter()
        _, exact = flat.search(q[None, :], k)
        flat_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        _, approx = hnsw.search(q[None, :], k)
        hnsw_ms.append((time.perf_counter() - t) * 1000)
        hits += len(set(exact[0].tolist()) & set(approx[0].tolist()))
    return {"vectors": int(vectors.shape[0]), "queries": int(queries.shape[0]), "k": k,
            "hnsw_m": m, "ef_search": ef_search,
            "hnsw_recall_at_k": round(hits / (k * max(1, len(queries))), 4),
            "hnsw_build_s": round(build_s, 1),
            "flat_ms": summarize_ms(flat_ms), "hnsw_ms": summarize_ms(hnsw_ms)}


def run(jsonl: Path, sizes: Sequence[int], n_queries: int, k: int = 5,
        ef_values: Sequence[int] = (256,)) -> list[dict[str, Any]]:
    """compare() at each corpus size (first N reports), fake-encoder vectors of their chunks."""
    from rag.config import Settings
    from rag.index.chunking import chunk_articles
    from rag.index.embedders import FakeEmbedder, embed_documents

    settings = Settings()
    embedder = FakeEmbedder(dim=768)
    articles = load_jsonl(jsonl, max(sizes))
    out = []
    for n in sizes:
        part = articles[:n]
        chunks = chunk_articles(part, settings.chunk)
        vectors = embed_documents(embedder, [c.embed_text for c in chunks])
        queries, _ = known_item_queries(part, n_queries)
        qv = embedder.embed_batch(queries, "query")
        for ef in ef_values:
            out.append({"docs": len(part), "chunks": len(chunks), **compare(vectors, qv, k, ef_search=ef)})
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.ann", description=__doc__.split("\n\n")[0])
    ap.add_argument("--jsonl", type=Path, default=DEFAULT_JSONL)
    ap.add_argument("--docs", default="10000,full", help="sizes, comma-separated; 'full' = 68218")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--ef", default="256", help="HNSW efSearch values, comma-separated")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    sizes = [FULL if s.strip() == "full" else int(s) for s in args.docs.split(",") if s.strip()]
    rows = run(args.jsonl, sizes, args.queries, ef_values=[int(e) for e in args.ef.split(",")])
    text = json.dumps(rows, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print("| docs | chunks | efSearch | HNSW recall@5 vs flat | flat p50 / p95 ms | HNSW p50 / p95 ms | HNSW build s |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['docs']:,} | {r['chunks']:,} | {r['ef_search']} | {r['hnsw_recall_at_k']:.3f} | "
              f"{r['flat_ms']['p50']:.1f} / {r['flat_ms']['p95']:.1f} | "
              f"{r['hnsw_ms']['p50']:.2f} / {r['hnsw_ms']['p95']:.2f} | {r['hnsw_build_s']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
