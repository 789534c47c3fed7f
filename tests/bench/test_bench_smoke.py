"""The benchmark harness end to end on a tiny synthetic JSONL with the fake embedder (fast)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.data import known_item_queries, load_jsonl
from bench.measure import percentile, ratio, summarize_ms
from bench.report import render
from bench.run import BenchConfig, run_bench
from bench.sampled import SampledEmbedder, standin_vectors
from rag.config import Settings
from rag.index.embedders import FakeEmbedder

PLACES = ["长沙", "株洲", "湘潭", "衡阳", "岳阳", "常德", "益阳", "郴州", "永州", "怀化"]
THINGS = ["新能源汽车", "春茶", "高铁站", "图书馆", "养老院"]


def _write_jsonl(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            place, thing = PLACES[i % len(PLACES)], THINGS[i % len(THINGS)]
            text = (f"{place}市第{i}号{thing}项目今天正式启动，总投资约{i + 3}亿元。\n"
                    f"据{place}市有关部门介绍，该{thing}项目预计明年建成，将惠及周边{i * 7 + 100}户居民。\n"
                    f"记者了解到，{place}今年已累计推进{thing}相关工作{i + 12}项。")
            fh.write(json.dumps({"id": f"doc-{i}", "published": None, "text": text},
                                ensure_ascii=False) + "\n")
    return path


def test_bench_runs_end_to_end_with_the_fake_embedder(tmp_path: Path) -> None:
    jsonl = _write_jsonl(tmp_path / "news.jsonl", 50)
    settings = Settings(model={"name": "fake"}, index_dir=tmp_path / "unused")
    config = BenchConfig(sizes=(50,), jsonl=jsonl, bundled=False, queries=8, dense_sample=40,
                         clients=(1, 4), http_seconds=0.3, http_sizes=(50,), scratch=tmp_path)
    logs: list[str] = []
    report = run_bench(settings, config, logs.append)
    (w,) = report["workloads"]
    assert w["articles"] == 50 and w["queries"] == 8 and w["chunks"] >= 50
    build = w["ours"]["build"]
    assert build["dense_sampled"] and 0 < build["dense_embedded"] < w["chunks"]
    assert build["keyword_chunks_per_s"] > 0 and build["disk_bytes_per_chunk"] > 0
    q = w["ours"]["query"]
    assert q["search_ms"]["n"] == 8 and q["ask_ms"]["n"] == 8 and q["query_embed_ms"]["n"] == 8
    assert q["search_ms"]["p50"] <= q["search_ms"]["p95"] <= q["search_ms"]["p99"]
    assert [h["clients"] for h in w["ours"]["http_ask"]] == [1, 4]
    assert all(h["errors"] == 0 and h["requests"] >= 1 for h in w["ours"]["http_ask"])
    assert w["bm25"]["search_ms"]["n"] == 8 and w["langchain"]["search_ms"]["n"] == 8
    assert w["ratios"]["bm25"]["search_p50"] is not None
    assert w["ratios"]["langchain"]["dense_chunks_per_s"] is not None
    text = render(report)
    assert "Ratios" in text and "sampled" in text and "| jsonl-50 | ours |" in text
    json.dumps(report, ensure_ascii=False)  # JSON-able
    assert not list(tmp_path.glob("rag-bench-*")), "scratch indexes are removed"
    assert any("building our index" in line for line in logs)


def test_sampled_embedder_is_real_for_queries_and_the_sample() -> None:
    inner = FakeEmbedder()
    texts = [f"第{i}条新闻：湖南各地推进项目建设" for i in range(200)]
    emb = SampledEmbedder(inner, rate=0.25)
    emb.sampling = True
    out = emb.embed_batch(texts, "document")
    assert 0 < emb.real_texts < 200 and emb.real_texts + emb.standin_texts == 200
    real = [i for i in range(200) if np.allclose(out[i], inner.embed_batch([texts[i]], "document")[0])]
    assert len(real) == emb.real_texts
    assert np.allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)
    assert np.allclose(emb.embed_batch(["问题"], "query"), inner.embed_batch(["问题"], "query"))
    assert np.array_equal(standin_vectors(["甲"], 8), standin_vectors(["甲"], 8))
    assert emb.fingerprint != inner.fingerprint
    emb.sampling = False
    assert np.allclose(emb.embed_batch(texts[:3], "document"), inner.embed_batch(texts[:3], "document"))


def test_measure_helpers() -> None:
    assert percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    assert summarize_ms([]) == {"n": 0}
    assert summarize_ms([5.0])["p99"] == 5.0
    assert ratio(2.0, 4.0) == 0.5 and ratio(1.0, 0.0) is None and ratio(None, 1.0) is None


def test_known_item_queries_come_from_their_articles(tmp_path: Path) -> None:
    articles = load_jsonl(_write_jsonl(tmp_path / "n.jsonl", 20), 20)
    queries, targets = known_item_queries(articles, 5)
    assert len(queries) == 5
    by_id = {a.article_id: " ".join(p.text for p in a.paragraphs) for a in articles}
    assert all(q in by_id[t] for q, t in zip(queries, targets, strict=True) if t)


def test_cli_parses_sizes() -> None:
    import argparse

    from rag.commands.bench import _sizes

    assert _sizes("1000,full") == (1000, 68_218)
    assert _sizes("") == ()
    with pytest.raises(argparse.ArgumentTypeError):
        _sizes("ten")


def test_rag_bench_reads_no_corpus_outside_the_repository_unless_named(tmp_path: Path) -> None:
    import argparse

    from rag.commands.bench import JSONL_SIZES, _docs
    from rag.errors import ConfigError

    assert _docs(argparse.Namespace(docs=None, jsonl=None)) == ()
    with pytest.raises(ConfigError, match="--jsonl"):
        _docs(argparse.Namespace(docs=(1000,), jsonl=None))
    corpus = tmp_path / "n.jsonl"
    corpus.write_text("{}\n", encoding="utf-8")
    assert _docs(argparse.Namespace(docs=None, jsonl=corpus)) == JSONL_SIZES
    assert _docs(argparse.Namespace(docs=(50,), jsonl=corpus)) == (50,)


def test_ann_compare_reports_recall_against_exact_search(tmp_path: Path) -> None:
    from bench.ann import compare, main

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    out = compare(vectors, vectors[:20] + 0.01, k=5)
    assert out["vectors"] == 500 and out["queries"] == 20
    assert 0.9 <= out["hnsw_recall_at_k"] <= 1.0  # a small, easy set: HNSW finds nearly all
    assert out["flat_ms"]["n"] == out["hnsw_ms"]["n"] == 20
    corpus = _write_jsonl(tmp_path / "c.jsonl", 40)
    assert main(["--jsonl", str(corpus), "--docs", "20,40", "--queries", "5",
                 "--out", str(tmp_path / "ann.json")]) == 0
    rows = json.loads((tmp_path / "ann.json").read_text(encoding="utf-8"))
    assert [r["docs"] for r in rows] == [20, 40] and all(0 <= r["hnsw_recall_at_k"] <= 1 for r in rows)


def test_bundled_workload_compares_ask_accuracy_with_langchain(tmp_path: Path) -> None:
    settings = Settings(model={"name": "fake"}, index_dir=tmp_path / "unused")
    config = BenchConfig(sizes=(), bundled=True, queries=4, dense_sample=10_000, clients=(),
                         http_sizes=(), scratch=tmp_path)
    report = run_bench(settings, config)
    (w,) = report["workloads"]
    acc = w["accuracy"]
    assert acc["ours"]["n"] == acc["langchain"]["n"] > 100  # every history-free gold question
    assert 0 < acc["langchain"]["accuracy"] <= 1 and 0.5 < acc["ours"]["accuracy"] <= 1
    assert w["ratios"]["langchain"]["ask_accuracy"] is not None
    assert "ask accuracy on the gold questions" in render(report)


def test_bundled_workload_times_an_unchanged_reindex_and_checks_the_targets(tmp_path: Path) -> None:
    settings = Settings(model={"name": "fake"}, index_dir=tmp_path / "unused")
    config = BenchConfig(sizes=(), bundled=True, queries=4, dense_sample=10_000, clients=(),
                         http_sizes=(), baselines=False, scratch=tmp_path)
    report = run_bench(settings, config)
    (w,) = report["workloads"]
    reindex = w["ours"]["reindex"]
    assert "error" not in reindex, reindex
    assert reindex["unchanged_s"] > 0 and w["ours"]["reindex_unchanged_s"] == reindex["unchanged_s"]
    by_name = {t["name"]: t for t in report["targets"]}
    search = by_name["search p95, bundled corpus"]
    assert search["measured"] == round(w["ours"]["query"]["search_ms"]["p95"], 3)
    assert search["met"] is (search["measured"] <= 30)
    assert by_name["ask p95, 68k reports"]["met"] is None  # no 68k workload in this run
    assert report["machine"]["cpus"] >= 1
    text = render(report)
    assert "### Targets (issue 8), from this run" in text and "not measured in this run" in text
    assert "when nothing changed" in text


def test_targets_are_judged_from_the_figures() -> None:
    from bench.targets import check_targets

    def report(search_p95: float, keyword_s: float, dense: float) -> dict:
        return {"workloads": [
            {"name": "bundled", "ours": {"query": {"search_ms": {"p95": search_p95},
                                                   "ask_ms": {"p95": 40.0}},
                                         "reindex_unchanged_s": 0.8},
             "ratios": {"langchain": {"dense_chunks_per_s": dense, "ask_p50": 0.3}},
             "accuracy": {"ours": {"accuracy": 0.9}, "langchain": {"accuracy": 0.9}}},
            {"name": "jsonl-68218", "ours": {"build": {"keyword_s": keyword_s},
                                             "query": {"ask_ms": {"p95": 120.0},
                                                       "ask_beyond_embed_ms": {"p95": 31.0}}},
             "ratios": {"langchain": {"dense_chunks_per_s": 3.0}}}]}

    met = {t.name: t.met for t in check_targets(report(29.0, 100.0, 2.5))}
    assert met["search p95, bundled corpus"] is True
    assert met["ask beyond query embedding p95, 68k reports"] is False
    assert met["keyword index over 68k reports"] is True
    assert all(m is not None for m in met.values())
    worse = {t.name: t for t in check_targets(report(31.0, 130.0, 1.9))}
    assert worse["search p95, bundled corpus"].met is False
    assert worse["keyword index over 68k reports"].met is False
    dense = worse["dense chunks/s vs naive fp32 `model.encode` (LangChain stack), worst workload"]
    assert dense.measured == 1.9 and dense.met is False  # the worst workload decides


def test_a_jsonl_workload_with_gold_questions_is_encoded_in_full_and_scored(tmp_path: Path) -> None:
    jsonl = _write_jsonl(tmp_path / "news.jsonl", 30)
    questions = tmp_path / "q.jsonl"
    rows = [{"id": "c001", "question": "衡阳市第3号高铁站项目总投资大约是多少？", "answers": ["6亿元"],
             "evidence": ["衡阳市第3号高铁站项目今天正式启动"], "type": "number"},
            {"id": "c002", "question": "巴黎奥运会男子百米冠军是谁？", "answers": [], "evidence": [],
             "type": "unanswerable"}]
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    settings = Settings(model={"name": "fake"}, index_dir=tmp_path / "unused")
    config = BenchConfig(sizes=(30,), jsonl=jsonl, bundled=False, queries=4, dense_sample=5,
                         clients=(), http_sizes=(), scratch=tmp_path, gold_questions=questions,
                         gold_docs=30)
    report = run_bench(settings, config)
    (w,) = report["workloads"]
    assert w["dense_sample_rate"] == 1.0 and not w["ours"]["build"]["dense_sampled"]
    assert w["accuracy"]["ours"]["n"] == w["accuracy"]["langchain"]["n"] == 2
    names = [t["name"] for t in report["targets"]]
    assert "ask accuracy, ours / stock LangChain retrieval (same reader), jsonl-30" in names
    other = BenchConfig(sizes=(30,), jsonl=jsonl, bundled=False, queries=4, dense_sample=5,
                        clients=(), http_sizes=(), scratch=tmp_path, gold_questions=questions,
                        gold_docs=300, baselines=False)
    (w,) = run_bench(settings, other)["workloads"]
    assert w["dense_sample_rate"] < 1 and "accuracy" not in w  # the questions are about 300 reports


def test_sample_writes_the_first_reports_byte_for_byte(tmp_path: Path) -> None:
    import lzma

    from bench.sample import main

    src = _write_jsonl(tmp_path / "news.jsonl", 12)
    packed = tmp_path / "news.jsonl.xz"
    packed.write_bytes(lzma.compress(src.read_bytes()))
    assert main(["--jsonl", str(packed), "--docs", "5", "--out", str(tmp_path / "c")]) == 0
    (out,) = (tmp_path / "c").iterdir()
    assert out.name == "news-first-5.jsonl"
    assert out.read_text(encoding="utf-8").splitlines() == src.read_text(encoding="utf-8").splitlines()[:5]
    assert [a.article_id for a in load_jsonl(out, 100)] == [f"doc-{i}" for i in range(5)]
