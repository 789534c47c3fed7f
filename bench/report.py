"""The benchmark report as Markdown tables (the same numbers as the JSON)."""

from __future__ import annotations

from typing import Any

from bench.targets import Target, render_targets


def _f(x: Any, nd: int = 1) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def _lat(d: dict[str, Any] | None) -> str:
    if not d or not d.get("n"):
        return "-"
    return f"{d['p50']:.1f} / {d['p95']:.1f} / {d['p99']:.1f}"


def _lat2(d: dict[str, Any] | None) -> str:
    if not d or not d.get("n"):
        return "-"
    return f"{d['p50']:.1f} / {d['p95']:.1f}"


def render(report: dict[str, Any]) -> str:
    """Markdown: build, query latency, throughput and ratio tables, one row per workload."""
    ws = report["workloads"]
    m = report["machine"]
    cpu = f" ({m['cpu']}; {', '.join(m.get('cpu_flags', [])) or 'no AVX2'})" if m.get("cpu") else ""
    out = [f"model {report['model']} ({report['dtype']}), {m['cpus']} CPUs{cpu}, load at start "
           f"{m['load_avg_at_start']}, total {report['total_s']} s", ""]
    if report.get("targets"):
        out += [*render_targets([Target(**t) for t in report["targets"]]), ""]
    out += ["### Index build", "",
            "| corpus | system | chunks | wall s | keyword chunks/s | dense chunks/s | dense embedded "
            "| peak RSS MB (growth) | bytes/chunk on disk |", "|---|---|---|---|---|---|---|---|---|"]
    for w in ws:
        for name, b in (("ours", w["ours"]["build"]), ("bm25", w.get("bm25")), ("langchain", w.get("langchain"))):
            if not b:
                continue
            emb = b.get("dense_embedded")
            emb_s = "-" if emb is None else f"{emb:,}{' (sampled)' if b.get('dense_sampled') else ''}"
            out.append(f"| {w['name']} | {name} | {w['chunks']:,} | {_f(b.get('wall_s'))} "
                       f"| {_f(b.get('keyword_chunks_per_s'))} | {_f(b.get('dense_chunks_per_s'), 2)} "
                       f"| {emb_s} | {_f(b.get('peak_rss_mb'))} ({_f(b.get('rss_growth_mb'))}) "
                       f"| {_f(b.get('disk_bytes_per_chunk'))} |")
    out += ["", "### Query latency, ms (p50 / p95 / p99, warm, first request excluded)", "",
            "| corpus | system | search | query embedding | search beyond embedding | ask "
            "| ask beyond embedding | known-item hit@5 |", "|---|---|---|---|---|---|---|---|"]
    for w in ws:
        q = w["ours"]["query"]
        out.append(f"| {w['name']} | ours | {_lat(q['search_ms'])} | {_lat(q['query_embed_ms'])} "
                   f"| {_lat(q['search_beyond_embed_ms'])} | {_lat(q.get('ask_ms'))} "
                   f"| {_lat(q.get('ask_beyond_embed_ms'))} | {_f(q.get('known_item_hit_at_5'), 3)} |")
        for name in ("bm25", "langchain"):
            if w.get(name):
                b = w[name]
                out.append(f"| {w['name']} | {name} | {_lat(b['search_ms'])} "
                           f"| {_lat(b.get('query_embed_ms'))} | - | - | - | - |")
    out += ["", "### Where search time goes beyond the embedding, ms (p50 / p95; BM25 runs in a thread "
            "while the query is embedded, so only the wait for it adds to the total)", "",
            "| corpus | dense search | BM25 (both, in its thread) | wait for BM25 | fuse + group |",
            "|---|---|---|---|---|"]
    for w in ws:
        q = w["ours"]["query"]
        out.append(f"| {w['name']} | {_lat2(q.get('dense_search_ms'))} | {_lat2(q.get('keyword_search_ms'))} "
                   f"| {_lat2(q.get('keyword_wait_search_ms'))} | {_lat2(q.get('fuse_search_ms'))} |")
    acc = [w for w in ws if w.get("accuracy")]
    if acc:
        out += ["", "### ask accuracy on the gold questions: our retrieval vs stock LangChain retrieval, "
                "same extractive reader", "",
                "| corpus | system | questions | accuracy | ask ms p50 / p95 / p99 |", "|---|---|---|---|---|"]
        for w in acc:
            for name, a in w["accuracy"].items():
                out.append(f"| {w['name']} | {name} | {a['n']} | {_f(a['accuracy'], 3)} | {_lat(a['ask_ms'])} |")
    http = [(w["name"], h) for w in ws for h in w["ours"].get("http_ask", [])]
    if http:
        out += ["", "### POST /api/ask on loopback (ours)", "",
                "| corpus | clients | requests | errors | req/s | latency p50 / p95 / p99 ms |",
                "|---|---|---|---|---|---|"]
        out += [f"| {n} | {h['clients']} | {h['requests']} | {h['errors']} | {h['req_per_s']:.2f} "
                f"| {_lat(h['latency_ms'])} |" for n, h in http]
    rws = [w for w in ws if w.get("ratios")]
    if rws:
        out += ["", "### Ratios, ours / baseline (time: < 1 is faster; rates: > 1 is faster)", "",
                "| corpus | baseline | search p50 | search p95 | query embed p50 | keyword chunks/s "
                "| dense chunks/s | build wall | bytes/chunk | ask p50 | ask accuracy |",
                "|---|---|---|---|---|---|---|---|---|---|---|"]
        for w in rws:
            for base, r in w["ratios"].items():
                out.append(f"| {w['name']} | {base} | {_f(r.get('search_p50'), 2)} | {_f(r.get('search_p95'), 2)} "
                           f"| {_f(r.get('query_embed_p50'), 2)} | {_f(r.get('keyword_chunks_per_s'), 2)} "
                           f"| {_f(r.get('dense_chunks_per_s'), 2)} | {_f(r.get('build_wall'), 2)} "
                           f"| {_f(r.get('disk_bytes_per_chunk'), 2)} | {_f(r.get('ask_p50'), 2)} "
                           f"| {_f(r.get('ask_accuracy'), 3)} |")
    notes = [f"- {w['name']}: dense side sampled: {w['ours']['build']['dense_embedded']:,} of "
             f"{w['chunks']:,} chunks really encoded; dense build time extrapolated from that rate; "
             "other vectors are stand-ins (search cost faithful, retrieval quality not)."
             for w in ws if w["ours"]["build"].get("dense_sampled")]
    notes += [f"- {w['name']}: `rag index` in a new process: {r['first_s']} s to build, "
              f"{r['unchanged_s']} s when nothing changed" if "error" not in r
              else f"- {w['name']}: `rag index` failed: {r['error']}"
              for w in ws if (r := w["ours"].get("reindex"))]
    notes += [f"- ask path: {ws[0].get('ask_path')}"] if ws else []
    if report.get("llm"):
        out += ["", *render_llm(report["llm"])]
    return "\n".join(out + ["", *notes])


def render_llm(llm: dict[str, Any]) -> list[str]:
    """The on-box LLM's section: generation rates and time per answer mode."""
    if "error" in llm:
        return ["### On-box LLM", "", f"not measured: {llm['error']}"]
    g = llm["generation"]
    out = ["### On-box LLM", "",
           f"{llm['model']}, {llm['threads']} threads, loaded in {_f(llm['load_s'], 2)} s; RSS "
           f"{_f(llm['rss_before_load_mb'])} MB before loading, {_f(llm['rss_loaded_mb'])} MB loaded, "
           f"{_f(llm['rss_after_mb'])} MB after the runs; {llm['questions']} bundled questions", "",
           "| prompt tokens | prompt tokens/s | generated tokens | generated tokens/s "
           "| time to first token ms (p50 / p95) | generation ms (p50 / p95) |",
           "|---|---|---|---|---|---|",
           f"| {_f(g['prompt_tokens_mean'])} | {_f(g['prompt_tps_mean'])} | {_f(g['generated_tokens_mean'])} "
           f"| {_f(g['generated_tps_mean'])} | {_lat2(g['ttft_ms'])} | {_lat2(g['total_ms'])} |", "",
           "| mode | ask ms (p50 / p95) | answered by the LLM |", "|---|---|---|"]
    for mode, m in llm["modes"].items():
        out.append(f"| {mode} | {_lat2(m['ask_ms'])} | {m['answered_by_llm']} of {llm['questions']} |")
    return out
