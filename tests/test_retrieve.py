import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "index"))
from index_helpers import make_article, sample_articles  # noqa: E402

from rag.config import Settings  # noqa: E402
from rag.errors import InvalidQuestionError  # noqa: E402
from rag.index.builder import build_index, load_index  # noqa: E402
from rag.index.embedders import FakeEmbedder  # noqa: E402
from rag.retrieve import HybridRetriever, rrf  # noqa: E402


@pytest.fixture
def retriever(fake_settings: Settings) -> HybridRetriever:
    arts = sample_articles()
    # the same passage printed in two reports: only one copy may come back
    copy = "长沙滨江能源站今天正式投产，总投资约5亿元。"
    arts.append(make_article("energy2", "能源站投产（转载）", [copy + "记者 李四"]))
    emb = FakeEmbedder()
    build_index(fake_settings, arts, emb)
    return HybridRetriever(load_index(fake_settings, emb), emb, fake_settings)


def test_rrf_weights_and_ranks() -> None:
    fused = rrf([([("a", 9.0), ("b", 1.0)], 1.0), ([("b", 5.0)], 1.0)], k=60)
    assert fused["b"] > fused["a"]
    assert rrf([([("a", 1.0)], 0.0)], k=60) == {}


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_every_mode_finds_the_paragraph(retriever: HybridRetriever, mode: str) -> None:
    hits = retriever.search("全区各校召开了多少次家长会", k=3, mode=mode)  # type: ignore[arg-type]
    assert hits[0].paragraph.paragraph_id == "school#p1"
    assert all(h.dense_score is not None for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_hits_are_paragraphs_without_near_duplicates(retriever: HybridRetriever) -> None:
    hits = retriever.search("能源站总投资", k=10)
    ids = [h.paragraph.paragraph_id for h in hits]
    assert len(ids) == len(set(ids))
    assert ("energy#p0" in ids) != ("energy2#p0" in ids)
    assert len(hits) <= 10


def test_keyword_mode_still_fills_the_cosine(retriever: HybridRetriever) -> None:
    hit = retriever.search("龙超俊", k=1, mode="keyword")[0]
    assert hit.keyword_score and hit.keyword_rank == 1
    assert hit.dense_score is not None and 0 < hit.dense_score <= 1.0001


def test_timings_and_bad_queries(retriever: HybridRetriever) -> None:
    timings: dict[str, float] = {}
    retriever.search("茶叶", k=2, timings=timings)
    assert {"embed_ms", "dense_ms", "keyword_ms", "total_ms"} <= set(timings)
    assert not hasattr(retriever, "last_timings")  # shared by threads: timings go to the caller
    with pytest.raises(InvalidQuestionError):
        retriever.search("   ")
    with pytest.raises(InvalidQuestionError):
        retriever.search("茶叶", mode="magic")  # type: ignore[arg-type]


def test_langchain_retriever_returns_documents(retriever: HybridRetriever) -> None:
    from langchain_core.retrievers import BaseRetriever

    lc = retriever.as_langchain(k=2)
    assert isinstance(lc, BaseRetriever)
    docs = lc.invoke("隆兴小学有哪些委员会")
    assert docs[0].metadata["paragraph_id"] == "school#p2"
    assert docs[0].metadata["article_title"] == "家校同携手 护航成长路"
    assert docs[0].metadata["hit"]["chunk_id"] == "school#p2#c0"
    assert "委员会" in docs[0].page_content


def test_bm25_runs_while_the_query_is_embedded(retriever: HybridRetriever,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    started = threading.Event()
    real_embed = retriever.embedder.embed_batch
    real_search = retriever.index.keyword.search

    def slow_embed(texts, kind):  # type: ignore[no-untyped-def]
        assert started.wait(5), "BM25 did not start before the embedding finished"
        return real_embed(texts, kind)

    def search(query, k, variant):  # type: ignore[no-untyped-def]
        started.set()
        return real_search(query, k, variant)

    monkeypatch.setattr(retriever.embedder, "embed_batch", slow_embed)
    monkeypatch.setattr(retriever.index.keyword, "search", search)
    timings: dict[str, float] = {}
    hits = retriever.search("全区各校召开了多少次家长会", k=3, timings=timings)
    assert hits[0].paragraph.paragraph_id == "school#p1" and "keyword_wait_ms" in timings


def test_an_error_in_the_bm25_thread_reaches_the_caller(retriever: HybridRetriever,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("bm25 broke")

    monkeypatch.setattr(retriever.index.keyword, "search", broken)
    with pytest.raises(RuntimeError, match="bm25 broke"):
        retriever.search("家长会", k=3)


def test_a_query_without_chinese_leans_on_the_dense_ranking(retriever: HybridRetriever,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[float]] = []
    real_rrf = rrf

    def spy(rankings, k):  # type: ignore[no-untyped-def]
        seen.append([w for _, w in rankings])
        return real_rrf(rankings, k)

    monkeypatch.setattr("rag.retrieve.rrf", spy)
    retriever.search("How many parent meetings did the schools hold?", k=3)
    retriever.search("全区各校召开了多少次家长会", k=3)
    r = retriever.settings.retrieval
    assert seen[0] == [r.dense_weight, r.words_weight * r.foreign_query_keyword_weight,
                       r.bigrams_weight * r.foreign_query_keyword_weight]
    assert seen[1] == [r.dense_weight, r.words_weight, r.bigrams_weight]
