"""One benchmark run: for each workload, this system and the two baselines, then ratios."""

from __future__ import annotations

import gc
import json
import platform
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.accuracy import ask_accuracy, langchain_ask, ours_ask
from bench.baselines import bm25_baseline, langchain_baseline, langchain_embeddings
from bench.data import DEFAULT_JSONL, Workload, bundled_workload, jsonl_workload
from bench.http import ask_throughput
from bench.measure import ratio
from bench.ours import build_ours, measure_ours, open_ours, scratch_settings, time_unchanged_reindex
from bench.sampled import SampledEmbedder
from bench.targets import check_targets
from rag.config import Settings

Log = Callable[[str], None]


@dataclass(frozen=True)
class BenchConfig:
    """What to run; every loop is bounded by these numbers."""

    sizes: tuple[int, ...] = (1000, 10_000, 68_218)
    jsonl: Path = DEFAULT_JSONL
    bundled: bool = True
    queries: int = 40
    repeat: int = 1
    dense_sample: int = 300
    clients: tuple[int, ...] = (1, 4, 16)
    http_seconds: float = 8.0
    http_sizes: tuple[int, ...] = field(default=(0, 1000))
    baselines: bool = True
    scratch: Path | None = None
    partial_out: Path | None = None  # the report so far, rewritten after each workload
    # held-out questions about the first `gold_docs` reports of `jsonl`: a workload of exactly that
    # size is encoded in full and scores ask accuracy, ours vs LangChain
    gold_questions: Path = Path("eval/crud/questions.jsonl")
    gold_docs: int = 300
    # > 0: the on-box LLM's rows over this many bundled questions (bench/llm.py)
    llm_questions: int = 0


def run_bench(settings: Settings, config: BenchConfig, log: Log = lambda _: None) -> dict[str, Any]:
    """Run every workload; returns a JSON-able report."""
    from rag.answer.extractive import ExtractiveAnswerer
    from rag.index.chunking import chunk_articles
    from rag.index.embedders import FakeEmbedder, make_embedder

    t0 = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="rag-bench-", dir=config.scratch))
    log(f"loading the embedding model {settings.model.name!r}")
    # the fake encoder at the real model's width, so store sizes and search cost stay faithful
    inner = FakeEmbedder(dim=768) if settings.model.name == "fake" else make_embedder(settings)
    lc_embeddings: Any = None
    report: dict[str, Any] = {"machine": _machine(), "model": settings.model.name,
                              "dtype": settings.model.dtype, "config": _jsonable(config),
                              "workloads": []}
    try:
        for n, workload in enumerate(_workloads(settings, config, log)):
            if not workload.articles:
                continue
            chunks = chunk_articles(workload.articles, settings.chunk)
            # gold questions need every chunk really encoded
            rate = 1.0 if workload.gold else min(1.0, config.dense_sample / max(1, len(chunks)))
            log(f"[{workload.name}] {len(workload.articles)} articles, {len(chunks)} chunks, "
                f"{len(workload.gold)} gold questions, "
                f"dense side {'full' if rate >= 1 else f'sampled ({rate:.2%})'}")
            scratch = root / f"w{n}"
            scratch.mkdir()
            embedder = SampledEmbedder(inner, rate)
            s = scratch_settings(settings, scratch / "ours")
            w: dict[str, Any] = {"name": workload.name, "articles": len(workload.articles),
                                 "chunks": len(chunks), "queries": len(workload.queries),
                                 "dense_sample_rate": round(rate, 5)}
            log(f"[{workload.name}] building our index")
            w["ours"] = {"build": build_ours(s, workload.articles, embedder)}
            pipeline, how = open_ours(s, embedder)
            w["ask_path"] = how
            log(f"[{workload.name}] timing search and ask ({len(workload.queries)} queries)")
            w["ours"]["query"] = measure_ours(pipeline, workload.queries, workload.targets,
                                              repeat=config.repeat)
            if workload.name == "bundled":
                log("[bundled] `rag index` twice in a new process: the second finds nothing changed")
                reindex = time_unchanged_reindex(settings, scratch / "cli-index")
                w["ours"]["reindex_unchanged_s"] = reindex.get("unchanged_s") if "error" not in reindex else None
                w["ours"]["reindex"] = reindex
            if _size_key(workload) in config.http_sizes and config.clients:
                log(f"[{workload.name}] /api/ask throughput at {config.clients} clients")
                w["ours"]["http_ask"] = ask_throughput(s, pipeline, workload.queries,
                                                       config.clients, config.http_seconds)
            if not config.baselines:
                del pipeline
                gc.collect()
            else:
                ids, texts = [c.chunk_id for c in chunks], [c.embed_text for c in chunks]
                log(f"[{workload.name}] baseline: BM25 alone")
                (scratch / "bm25").mkdir()
                w["bm25"] = bm25_baseline(ids, texts, workload.queries, scratch / "bm25",
                                          repeat=config.repeat)
                if lc_embeddings is None:
                    lc_embeddings = _langchain_embeddings(settings, inner)
                log(f"[{workload.name}] baseline: LangChain FAISS + HuggingFaceEmbeddings")
                (scratch / "lc").mkdir()
                w["langchain"], lc_store = langchain_baseline(
                    lc_embeddings, ids, texts, workload.queries, scratch / "lc", rate=rate,
                    dim=inner.dim, repeat=config.repeat)
                if workload.gold and rate >= 1:  # ask accuracy needs every chunk really encoded
                    log(f"[{workload.name}] ask accuracy on {len(workload.gold)} questions, ours vs LangChain")
                    w["accuracy"] = {
                        "ours": ask_accuracy(ours_ask(pipeline), workload.gold),
                        "langchain": ask_accuracy(langchain_ask(
                            lc_store, pipeline.index, ExtractiveAnswerer(settings, inner, idf=pipeline.index.keyword.idf),
                            settings.retrieval.top_k), workload.gold)}
                del pipeline, lc_store
                gc.collect()
                w["ratios"] = ratios(w)
            report["workloads"].append(w)
            if config.partial_out is not None:
                config.partial_out.write_text(json.dumps(report, ensure_ascii=False, indent=2),
                                              encoding="utf-8")
            shutil.rmtree(scratch, ignore_errors=True)
            gc.collect()
        if config.llm_questions > 0:
            report["llm"] = _llm_report(settings, config, log)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report["total_s"] = round(time.perf_counter() - t0, 1)
    report["targets"] = [t.as_dict() for t in check_targets(report)]
    return report


def _llm_report(settings: Settings, config: BenchConfig, log: Log) -> dict[str, Any]:
    """The on-box LLM's rows on the bundled corpus and its index (built if missing)."""
    from bench.llm import llm_rows
    from rag.pipeline import Pipeline

    settings = settings.model_copy(update={"local_llm": settings.local_llm.model_copy(update={"enabled": True})})
    every = bundled_workload(settings.corpus_dir, Path("eval/questions.jsonl"), 10**6).queries
    step = max(1.0, len(every) / config.llm_questions)  # spread over the set, not its first kind
    questions = [every[int(i * step)] for i in range(min(config.llm_questions, len(every)))]
    log(f"[llm] opening the bundled pipeline for {len(questions)} LLM questions")
    pipeline = Pipeline.open(settings)
    try:
        return llm_rows(pipeline, questions, log)
    finally:
        if pipeline.local is not None:
            pipeline.local.close()


def _size_key(workload: Workload) -> int:
    return 0 if workload.name == "bundled" else len(workload.articles)


def _workloads(settings: Settings, config: BenchConfig, log: Log) -> Any:
    if config.bundled:
        yield bundled_workload(settings.corpus_dir, Path("eval/questions.jsonl"), config.queries)
    for size in config.sizes:
        log(f"reading the first {size} reports of {config.jsonl}")
        gold = size == config.gold_docs and config.gold_questions.is_file()
        yield jsonl_workload(config.jsonl, size, config.queries,
                             config.gold_questions if gold else None)


def _langchain_embeddings(settings: Settings, inner: Any) -> Any:
    if settings.model.name == "fake":
        return langchain_embeddings(None, fake=inner)
    from rag.models import resolve_model_path

    return langchain_embeddings(str(resolve_model_path(settings)))


def _p(w: dict[str, Any], *path: str) -> float | None:
    cur: Any = w
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur if isinstance(cur, (int, float)) else None


def ratios(w: dict[str, Any]) -> dict[str, Any]:
    """ours / baseline for the figures both sides have (lower is better except for rates)."""
    out: dict[str, Any] = {}
    for base in ("bm25", "langchain"):
        r = {
            "search_p50": ratio(_p(w, "ours", "query", "search_ms", "p50"), _p(w, base, "search_ms", "p50")),
            "search_p95": ratio(_p(w, "ours", "query", "search_ms", "p95"), _p(w, base, "search_ms", "p95")),
            "disk_bytes_per_chunk": ratio(_p(w, "ours", "build", "disk_bytes_per_chunk"),
                                          _p(w, base, "disk_bytes_per_chunk")),
        }
        if base == "bm25":
            r["keyword_chunks_per_s"] = ratio(_p(w, "ours", "build", "keyword_chunks_per_s"),
                                              _p(w, base, "keyword_chunks_per_s"))
        else:
            r["dense_chunks_per_s"] = ratio(_p(w, "ours", "build", "dense_chunks_per_s"),
                                            _p(w, base, "dense_chunks_per_s"))
            r["query_embed_p50"] = ratio(_p(w, "ours", "query", "query_embed_ms", "p50"),
                                         _p(w, base, "query_embed_ms", "p50"))
            r["build_wall"] = ratio(_p(w, "ours", "build", "wall_s"), _p(w, base, "wall_s"))
            r["ask_p50"] = ratio(_p(w, "accuracy", "ours", "ask_ms", "p50"),
                                 _p(w, "accuracy", "langchain", "ask_ms", "p50"))
            r["ask_accuracy"] = ratio(_p(w, "accuracy", "ours", "accuracy"),
                                      _p(w, "accuracy", "langchain", "accuracy"))
        out[base] = r
    return out


def _machine() -> dict[str, Any]:
    import os

    return {"python": platform.python_version(), "cpus": os.cpu_count(), **_cpu(),
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()], "platform": platform.platform()}


_ISA = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8")


def _cpu() -> dict[str, Any]:
    """The CPU's model name and the instruction sets that decide int8 / bf16 encoding speed."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    model = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                  if line.startswith("model name")), platform.processor())
    flags = next((set(line.split(":", 1)[1].split()) for line in text.splitlines()
                  if line.startswith("flags")), set())
    return {"cpu": model, "cpu_flags": [f for f in _ISA if f in flags]}


def _jsonable(config: BenchConfig) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in config.__dict__.items()}
