"""The on-box LLM's rows: load time, prompt and generated tokens/s, time to first token, total
time per answer mode, and the memory of the process with the model loaded.

The generation figures come from one streamed request per question to the llama.cpp server the
pipeline runs (its own `timings` where it reports them, else counted on this side), with the
prompt the `local` answerer builds, read afresh (`cache_prompt` off); the per-mode figures time
`Pipeline.ask` end to end, each mode over the same questions, one after another, in this one
process, measured first, `auto` before `local` (llama.cpp's server keeps recent prompts in RAM, so
the LLM questions `local` repeats from `auto` are read faster: a small share, the ones auto sent)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.measure import rss_bytes, summarize_ms

MODES = ("extractive", "auto", "local")
Log = Callable[[str], None]


def _role(role: str) -> str:
    return {"human": "user"}.get(role, role)


def stream_once(base_url: str, model: str, messages: Sequence[tuple[str, str]],
                max_tokens: int) -> dict[str, Any]:
    """One streamed chat completion: time to first token, total, token counts and rates."""
    import httpx

    body = {"model": model, "stream": True, "temperature": 0.0, "max_tokens": max_tokens,
            "stream_options": {"include_usage": True},
            "cache_prompt": False,  # llama.cpp keeps prompts in RAM: a repeat would skip the reading
            "messages": [{"role": _role(r), "content": c} for r, c in messages]}
    t0 = time.perf_counter()
    first: float | None = None
    pieces = 0
    usage: dict[str, Any] = {}
    timings: dict[str, Any] = {}
    with httpx.Client(timeout=120.0) as client, \
            client.stream("POST", f"{base_url.rstrip('/')}/chat/completions", json=body) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if not line.startswith("data:") or line.strip() == "data: [DONE]":
                continue
            chunk = json.loads(line[5:])
            usage = chunk.get("usage") or usage
            timings = chunk.get("timings") or timings
            for choice in chunk.get("choices") or ():
                if (choice.get("delta") or {}).get("content"):
                    pieces += 1
                    if first is None:
                        first = time.perf_counter()
    total = time.perf_counter() - t0
    ttft = (first - t0) if first is not None else total
    prompt_n = timings.get("prompt_n", usage.get("prompt_tokens"))
    gen_n = timings.get("predicted_n", usage.get("completion_tokens", pieces))
    prompt_tps = timings.get("prompt_per_second") or (prompt_n / ttft if prompt_n and ttft else None)
    gen_tps = timings.get("predicted_per_second") or (
        (gen_n - 1) / (total - ttft) if gen_n and gen_n > 1 and total > ttft else None)
    return {"ttft_ms": ttft * 1000, "total_ms": total * 1000, "prompt_tokens": prompt_n,
            "generated_tokens": gen_n, "prompt_tps": prompt_tps, "generated_tps": gen_tps,
            "source": "llama.cpp timings" if timings else "counted here"}


def _mean(xs: Sequence[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    return round(sum(vals) / len(vals), 1) if vals else None


def llm_rows(pipeline: Any, questions: Sequence[str], log: Log = lambda _: None) -> dict[str, Any]:
    """The LLM figures over `questions` on an open pipeline whose on-box LLM is enabled; a dict
    with an `error` when it cannot be loaded (no file, no runtime)."""
    from rag.answer.llm import build_messages

    local = pipeline.local
    if local is None:
        return {"error": "the on-box LLM is disabled (local_llm.enabled)"}
    rss_before = rss_bytes()
    t = time.perf_counter()
    if local.state == "off":
        local.start(background=False)
    if not local.wait(600) or local.state != "ready":
        return {"error": local.status().get("error", "the on-box LLM did not load")}
    out: dict[str, Any] = {"model": local.settings.local_llm.model,
                           "threads": local.settings.local_llm.threads,
                           "load_s": local.load_s or round(time.perf_counter() - t, 2),
                           "rss_before_load_mb": round(rss_before / 1e6, 1),
                           "rss_loaded_mb": round(rss_bytes() / 1e6, 1), "questions": len(questions)}
    cfg = pipeline.settings
    out["modes"] = {}
    for mode in MODES:
        log(f"[llm] ask in mode {mode!r}")
        times, via_llm = [], 0
        for q in questions:
            t = time.perf_counter()
            answer = pipeline.ask(q, mode=mode)
            times.append((time.perf_counter() - t) * 1000)
            via_llm += mode == "local" or "via_local" in answer.flags
        out["modes"][mode] = {"ask_ms": summarize_ms(times), "answered_by_llm": via_llm}
    log(f"[llm] {len(questions)} streamed generations on {out['model']} ({out['threads']} threads)")
    gens = []
    for q in questions:
        hits = pipeline.search(q, cfg.retrieval.top_k)
        messages = build_messages(cfg, q, hits, cfg.local_llm.context_chars)
        gens.append(stream_once(local.base_url, cfg.local_llm.model, messages, cfg.local_llm.max_tokens))
    out["generation"] = {
        "ttft_ms": summarize_ms([g["ttft_ms"] for g in gens]),
        "total_ms": summarize_ms([g["total_ms"] for g in gens]),
        "prompt_tokens_mean": _mean([g["prompt_tokens"] for g in gens]),
        "generated_tokens_mean": _mean([g["generated_tokens"] for g in gens]),
        "prompt_tps_mean": _mean([g["prompt_tps"] for g in gens]),
        "generated_tps_mean": _mean([g["generated_tps"] for g in gens]),
        "source": gens[0]["source"] if gens else None}
    out["rss_after_mb"] = round(rss_bytes() / 1e6, 1)
    return out
