"""Pipeline: the keyword-only pipeline, and progressive opening of a corpus without an index."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from api.serving import make_settings  # noqa: E402

from rag.index.builder import corpus_is_indexed  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402


def test_keyword_only_pipeline_answers_without_a_model_or_an_index(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    p = Pipeline.keyword_only(settings)
    assert not p.index.dense_ready and p.embedder is None
    answer = p.ask("天元区教育局局长叫什么名字？")
    assert not answer.abstained and "龙超俊" in answer.answer
    assert all(c.paragraph_id in p.index.paragraphs for c in answer.citations)
    assert all(h.dense_score is None for h in p.search("家长会"))
    assert p.health()["retrieval"].startswith("keyword")
    assert not (settings.index_dir / "CURRENT").exists()  # nothing written: it lives in memory


def test_open_progressively_serves_keywords_first_then_hybrid(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    published: list[Pipeline] = []
    reports: list[dict[str, Any]] = []
    full = Pipeline.open_progressively(settings, published.append, reports.append)
    assert len(published) == 1 and not published[0].index.dense_ready
    assert full.index.dense_ready and full.health()["retrieval"] == settings.retrieval.mode
    dense = [r for r in reports if r["phase"] == "dense"]
    assert dense[0]["embedded"] == 0 and dense[-1]["embedded"] == dense[-1]["to_embed"] > 0
    assert [r["phase"] for r in reports][0] == "keyword"
    assert corpus_is_indexed(settings)
    # the second start finds the index: no keyword-only stage
    published.clear(), reports.clear()
    Pipeline.open_progressively(settings, published.append, reports.append)
    assert published == [] and [r["phase"] for r in reports] == ["loading"]


def test_a_changed_corpus_is_not_indexed(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    Pipeline.open(settings)
    assert corpus_is_indexed(settings)
    (settings.corpus_dir / "extra.md").write_text("# 新文章\n\n今天天气很好。\n", encoding="utf-8")
    assert not corpus_is_indexed(settings)


def test_open_progressively_builds_bm25_once(tmp_path: Path, monkeypatch: Any) -> None:
    from rag.index import keyword

    settings = make_settings(tmp_path)
    real_build = keyword.KeywordIndex.build.__func__  # type: ignore[attr-defined]
    builds: list[int] = []

    def counting(cls: Any, ids: Any, texts: Any) -> Any:
        builds.append(len(ids))
        return real_build(cls, ids, texts)

    monkeypatch.setattr(keyword.KeywordIndex, "build", classmethod(counting))
    full = Pipeline.open_progressively(settings, lambda _: None, lambda _: None)
    assert len(builds) == 1 and builds[0] == len(full.index.chunks)  # the first pass's index is saved
    assert full.search("家长会")  # and it is the one the full pipeline reads back


def _count_corpus_reads(monkeypatch: Any) -> dict[str, int]:
    """Count every ingest of the corpus folder and every fingerprint of it, wherever it is called."""
    import rag.index.corpus
    import rag.index.manifest
    import rag.ingest
    import rag.ingest.corpus

    calls = {"ingest": 0, "fingerprint": 0}
    real_load, real_fp = rag.ingest.corpus.load_corpus, rag.index.manifest.corpus_fingerprint

    def load(*args: Any, **kwargs: Any) -> Any:
        calls["ingest"] += 1
        return real_load(*args, **kwargs)

    def fingerprint(*args: Any, **kwargs: Any) -> Any:
        calls["fingerprint"] += 1
        return real_fp(*args, **kwargs)

    for module in (rag.index.corpus, rag.ingest, rag.ingest.corpus):
        monkeypatch.setattr(module, "load_corpus", load)
    for module in (rag.index.corpus, rag.index.manifest):
        monkeypatch.setattr(module, "corpus_fingerprint", fingerprint)
    return calls


def test_a_cold_progressive_start_reads_the_corpus_once(tmp_path: Path, monkeypatch: Any) -> None:
    settings = make_settings(tmp_path)
    calls = _count_corpus_reads(monkeypatch)
    full = Pipeline.open_progressively(settings, lambda _: None, lambda _: None)
    assert full.index.dense_ready
    assert calls == {"ingest": 1, "fingerprint": 1}
    # a warm start fingerprints once and ingests nothing (the index holds the articles)
    calls.update(ingest=0, fingerprint=0)
    Pipeline.open_progressively(settings, lambda _: None, lambda _: None)
    assert calls == {"ingest": 0, "fingerprint": 1}


def test_a_cold_open_reads_the_corpus_once(tmp_path: Path, monkeypatch: Any) -> None:
    settings = make_settings(tmp_path)
    calls = _count_corpus_reads(monkeypatch)
    Pipeline.open(settings)
    assert calls == {"ingest": 1, "fingerprint": 1}
