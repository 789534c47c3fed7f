"""This system under the benchmark: build a scratch index, open a pipeline on it, time queries."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.measure import PeakRSS, dir_bytes, summarize_ms, time_calls
from bench.sampled import SampledEmbedder
from rag.config import Settings
from rag.pipeline import Pipeline
from rag.records import Article

log = logging.getLogger(__name__)


def build_ours(settings: Settings, articles: Sequence[Article], embedder: SampledEmbedder) -> dict[str, Any]:
    """Build the index into settings.index_dir; figures for the keyword and the dense side."""
    from rag.index.builder import build_index

    embedder.sampling = True
    try:
        with PeakRSS() as rss:
            report = build_index(settings, articles, embedder)
    finally:
        embedder.sampling = False
    s = report.seconds
    chunks = report.chunks
    rate = embedder.rate_per_s()
    sampled = embedder.standin_texts > 0
    dense_s = (chunks / rate if rate else 0.0) + s.get("store", 0.0)
    measured_other = s.get("total", 0.0) - s.get("embed", 0.0)
    sizes = {p.name: dir_bytes(p) for p in report.directory.iterdir()}
    total_bytes = sum(sizes.values())
    return {
        "articles": report.articles, "chunks": chunks,
        "wall_s": round(measured_other + dense_s, 2),
        "wall_s_measured": s.get("total", 0.0),
        "keyword_s": s.get("keyword", 0.0),
        "keyword_chunks_per_s": round(chunks / s["keyword"], 1) if s.get("keyword") else None,
        "dense_embedded": embedder.real_texts, "dense_sampled": sampled,
        "dense_chunks_per_s": round(rate, 2) if rate else None,
        "dense_s": round(dense_s, 2),
        "store_s": s.get("store", 0.0),
        **rss.report(),
        "disk_bytes": total_bytes,
        "disk_bytes_per_chunk": round(total_bytes / chunks) if chunks else None,
        "disk_bytes_by_part": sizes,
    }


def open_ours(settings: Settings, embedder: SampledEmbedder) -> tuple[Pipeline, str]:
    """A Pipeline over the scratch index (not Pipeline.open: that would index the corpus folder).
    Returns the pipeline and how `ask` is answered."""
    from rag.index.builder import load_index
    from rag.retrieve import HybridRetriever

    index = load_index(settings, embedder)
    retriever = HybridRetriever(index, embedder, settings)
    try:
        from rag.answer.chain import build_chain

        chain: Any = build_chain(settings, retriever, embedder=embedder)
        how = "rag.answer.chain (extractive)"
    except ImportError:
        chain = _SearchThenExtract(settings, retriever, embedder)
        how = "search + ExtractiveAnswerer (rag.answer.chain not available)"
    return Pipeline(settings, index, embedder, retriever, chain), how


class _SearchThenExtract:
    """Fallback chain while rag.answer.chain is not there: retrieve, then the extractive answerer."""

    def __init__(self, settings: Settings, retriever: Any, embedder: Any) -> None:
        from rag.answer.extractive import ExtractiveAnswerer

        self.settings = settings
        self.retriever = retriever
        self.answerer = ExtractiveAnswerer(settings, embedder)

    def invoke(self, question: str, **_: Any) -> Any:
        """Answer one question (history ignored) as an Answer record with citations."""
        from rag.answer.citations import build_citations
        from rag.records import Answer

        hits = self.retriever.search(question, k=self.settings.retrieval.top_k)
        draft = self.answerer.answer(question, hits)
        return Answer(question=question, answer=draft.text, abstained=draft.abstained,
                      citations=build_citations(draft.cited, hits, draft.quotes, draft.text))


def measure_ours(pipeline: Pipeline, queries: Sequence[str], targets: Sequence[str | None],
                 *, repeat: int = 1) -> dict[str, Any]:
    """search and ask latency (warm), the query-embedding floor, and a known-item hit rate."""
    embed_ms: list[float] = []
    parts: dict[str, list[float]] = {"dense_ms": [], "keyword_ms": [], "keyword_wait_ms": [], "fuse_ms": []}

    def search(q: str) -> Any:
        timings: dict[str, float] = {}
        hits = pipeline.retriever.search(q, k=5, timings=timings)
        embed_ms.append(timings.get("embed_ms", 0.0))
        for key, values in parts.items():
            values.append(timings.get(key, 0.0))
        return hits

    search_ms, results = time_calls(search, queries, repeat=repeat)
    embed_ms, parts = embed_ms[1:], {k: v[1:] for k, v in parts.items()}  # drop the warm-up
    beyond = [t - e for t, e in zip(search_ms, embed_ms, strict=True)]
    found = [any(h.paragraph.article_id == t for h in hits)
             for hits, t in zip(results, list(targets) * repeat, strict=True) if t is not None]
    out: dict[str, Any] = {
        "search_ms": summarize_ms(search_ms), "query_embed_ms": summarize_ms(embed_ms),
        "search_beyond_embed_ms": summarize_ms(beyond),
        **{k.replace("_ms", "_search_ms"): summarize_ms(v) for k, v in parts.items()},
        "known_item_hit_at_5": round(sum(found) / len(found), 3) if found else None,
    }
    ask_embed: list[float] = []

    def ask(q: str) -> Any:
        answer = pipeline.ask(q)
        ask_embed.append(answer.timings_ms.get("embed", 0.0))
        return answer

    ask_ms, answers = time_calls(ask, queries, repeat=repeat)
    ask_embed = ask_embed[1:]
    out["ask_ms"] = summarize_ms(ask_ms)
    out["ask_beyond_embed_ms"] = summarize_ms([t - e for t, e in zip(ask_ms, ask_embed, strict=True)])
    out["abstained"] = sum(1 for a in answers if getattr(a, "abstained", False))
    return out


def scratch_settings(settings: Settings, index_dir: Path) -> Settings:
    """The user's settings with the index in a scratch folder and the FAISS threshold unchanged."""
    return settings.model_copy(update={"index_dir": index_dir})


def time_unchanged_reindex(settings: Settings, index_dir: Path) -> dict[str, Any]:
    """`rag index` on the corpus folder as a user runs it (a new process): once to build
    `index_dir`, then again with nothing changed; the second command's wall time is the figure."""
    import subprocess
    import sys
    import time

    command = [sys.executable, "-m", "rag.cli", "--corpus", str(settings.corpus_dir),
               "--index-dir", str(index_dir), "--model", settings.model.name, "index"]
    out: dict[str, Any] = {}
    for key in ("first_s", "unchanged_s"):
        t = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
        out[key] = round(time.perf_counter() - t, 2)
        if done.returncode != 0:
            log.warning("`rag index` failed (%d): %s", done.returncode, done.stderr[-500:])
            return {"error": done.stderr[-500:], **out}
    return out
