"""Encoding speed and quality, side by side in one run: naive float32 `model.encode` (PyTorch),
our ONNX Runtime float32 graph, and its int8 copy (model.quantize="int8").

Reports documents/s over the first chunks of the 68k-report corpus, single-query latency,
cosine of each backend's vectors to PyTorch float32, and paragraph recall@1/@5 on the bundled
question set with each backend's own query and document vectors.

Run: python -m bench.quantize [--docs 48] [--queries 30] [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.data import DEFAULT_JSONL, load_jsonl
from rag.config import Settings


def _variant(settings: Settings, **model: Any) -> Settings:
    return settings.model_copy(update={"model": settings.model.model_copy(update=model)})


def _gold_recall(settings: Settings, embedders: dict[str, Any], questions: Path) -> dict[str, Any]:
    from rag.index.chunking import chunk_articles
    from rag.ingest import load_corpus, normalize_text

    chunks = chunk_articles(load_corpus(settings.corpus_dir).articles, settings.chunk)
    rows = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    asked, gold = [], []
    for row in rows:
        if row.get("history") or not row.get("evidence"):
            continue
        hits = {i for i, c in enumerate(chunks)
                if any(normalize_text(e) in normalize_text(c.text) for e in row["evidence"])}
        if hits:
            asked.append(row["question"])
            gold.append(hits)
    out: dict[str, Any] = {"questions": len(asked), "chunks": len(chunks)}
    for name, embedder in embedders.items():
        docs = embedder.embed_batch([c.embed_text for c in chunks], "document")
        queries = embedder.embed_batch(asked, "query")
        ranked = np.argsort(-(queries @ docs.T), axis=1)
        for k in (1, 5):
            out[f"{name}_recall@{k}"] = round(float(np.mean(
                [bool(set(ranked[j, :k].tolist()) & g) for j, g in enumerate(gold)])), 4)
    return out


def run(settings: Settings, n_docs: int, n_queries: int) -> dict[str, Any]:
    """Every figure of the module docstring, as one dict."""
    from rag.index.chunking import chunk_articles
    from rag.index.embedders import make_embedder

    naive = make_embedder(_variant(settings, backend="torch", dtype="float32"))
    embedders = {"onnx_fp32": make_embedder(_variant(settings, backend="onnx", quantize="none")),
                 "onnx_int8": make_embedder(_variant(settings, backend="onnx", quantize="int8"))}
    articles = load_jsonl(DEFAULT_JSONL, max(20, n_docs))
    docs = [c.embed_text for c in chunk_articles(articles, settings.chunk)][:n_docs]
    report: dict[str, Any] = {"docs": len(docs), "doc_chars_mean": round(float(np.mean([len(d) for d in docs])), 1),
                              "backends": {k: e.backend for k, e in embedders.items()},
                              "batch_size": settings.model.batch_size}
    t = time.perf_counter()
    reference = np.asarray(naive.model.encode_document(docs, convert_to_numpy=True, normalize_embeddings=True))
    report["naive_torch_fp32_docs_per_s"] = round(len(docs) / (time.perf_counter() - t), 3)
    for name, embedder in embedders.items():
        t = time.perf_counter()
        vectors = embedder.embed_batch(docs, "document")
        report[f"{name}_docs_per_s"] = round(len(docs) / (time.perf_counter() - t), 3)
        report[f"{name}_docs_speedup_vs_naive"] = round(
            report[f"{name}_docs_per_s"] / report["naive_torch_fp32_docs_per_s"], 2)
        cos = np.sum(vectors * reference, axis=1)
        report[f"{name}_cosine_to_torch_fp32_min"] = round(float(cos.min()), 4)
        report[f"{name}_cosine_to_torch_fp32_mean"] = round(float(cos.mean()), 4)
    questions = ["天元区的学校开了多少次家长会？", "长沙滨江能源站什么时候投产", "新能源汽车的销量怎么样",
                 "教育局局长是谁", "疫情期间学校怎么安排上课"]
    for name, embedder in {"naive_torch_fp32": naive, **embedders}.items():
        embedder.embed_batch(questions[:1], "query")
        times = []
        for i in range(n_queries):
            t = time.perf_counter()
            embedder.embed_batch([questions[i % len(questions)]], "query")
            times.append((time.perf_counter() - t) * 1000)
        report[f"{name}_query_p50_ms"] = round(float(np.percentile(times, 50)), 1)
        report[f"{name}_query_p95_ms"] = round(float(np.percentile(times, 95)), 1)
    report["recall"] = _gold_recall(settings, embedders, Path("eval/questions.jsonl"))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=48, help="chunks to encode with each backend")
    parser.add_argument("--queries", type=int, default=30, help="single queries timed per backend")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args(argv)
    report = run(Settings(), args.docs, args.queries)
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
