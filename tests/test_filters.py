"""Metadata filters (published from/to, source) applied inside retrieval, and over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings
from rag.pipeline import Pipeline
from rag.records import Article, MetadataFilter

DOCS = [
    ("a1", "长沙晚报", "2023-08-01", "长沙新建桥梁", "长沙市新建的湘江大桥今天通车，全长两公里。"),
    ("a2", "湖南日报", "2023-09-15", "株洲新建桥梁", "株洲市新建的湘江大桥今天通车，全长三公里。"),
    ("a3", "长沙晚报", "2024-01-10", "湘潭新建桥梁", "湘潭市新建的湘江大桥今天通车，全长四公里。"),
    ("a4", None, None, "衡阳新建桥梁", "衡阳市新建的湘江大桥今天通车，全长五公里。"),
]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    import json

    root = tmp_path_factory.mktemp("filters")
    (root / "corpus").mkdir()
    with (root / "corpus" / "news.jsonl").open("w", encoding="utf-8") as fh:
        for i, source, published, title, text in DOCS:
            fh.write(json.dumps({"id": i, "source": source, "published": published, "title": title,
                                 "text": text}, ensure_ascii=False) + "\n")
    s = Settings(corpus_dir=root / "corpus", index_dir=root / "index")
    return Pipeline.open(s.model_copy(update={"model": s.model.model_copy(update={"name": "fake"})}))


def _articles(hits: list) -> set[str]:  # type: ignore[type-arg]
    return {h.paragraph.article_id for h in hits}


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
@pytest.mark.parametrize(("flt", "expected"), [
    (MetadataFilter(sources=("长沙晚报",)), {"a1", "a3"}),
    (MetadataFilter(published_from="2023-09"), {"a2", "a3"}),
    (MetadataFilter(published_to="2023-09"), {"a1", "a2"}),
    (MetadataFilter(published_from="2023-08-02", published_to="2023-12-31"), {"a2"}),
    (MetadataFilter(sources=("湖南日报",), published_from="2024"), set()),
])
def test_filters_restrict_every_side(pipeline: Pipeline, mode: str, flt: MetadataFilter,
                                     expected: set[str]) -> None:
    hits = pipeline.search("湘江大桥通车", k=10, mode=mode, filters=flt)
    assert _articles(hits) == expected


def test_no_filter_finds_all(pipeline: Pipeline) -> None:
    assert _articles(pipeline.search("湘江大桥通车", k=10)) == {"a1", "a2", "a3", "a4"}


def test_ask_with_a_filter_cites_only_allowed(pipeline: Pipeline) -> None:
    answer = pipeline.ask("湘江大桥全长多少公里？", filters=MetadataFilter(sources=("湖南日报",)))
    assert {c.article_id for c in answer.citations} <= {"a2"}
    assert all(c.article_id == "a2" for c in answer.related)


def test_allows() -> None:
    a = Article(article_id="x", title="t", published="2023/08/17 10:00", source="Xinhua")
    assert MetadataFilter(published_from="2023-08-17", published_to="2023-08-17").allows(a)
    assert MetadataFilter(sources=("xinhua ",)).allows(a)
    assert not MetadataFilter(published_to="2023-08-16").allows(a)
    assert not MetadataFilter(published_from="2020").allows(Article(article_id="y", title="t"))


def test_filters_over_http(pipeline: Pipeline, tmp_path: Path) -> None:
    import httpx
    from api.serving import running

    from rag.server import create_app

    with running(create_app(pipeline.settings, pipeline, ui=False)) as url, \
            httpx.Client(base_url=url, timeout=60) as c:
        r = c.post("/api/search", json={"query": "湘江大桥", "k": 10, "source": "长沙晚报",
                                        "published_from": "2024-01"})
        assert r.status_code == 200, r.text
        assert {h["article_id"] for h in r.json()["hits"]} == {"a3"}
        r = c.post("/api/ask", json={"question": "湘江大桥全长多少公里？", "source": ["湖南日报"]})
        assert r.status_code == 200 and {x["article_id"] for x in r.json()["citations"]} <= {"a2"}
        r = c.post("/api/search", json={"query": "桥", "published_from": "yesterday"})
        assert r.status_code == 422
