"""Hand-made hits and a keyword retriever: the reader and the chain are tested without any model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rag.answer.tokenize import Tokenizer
from rag.config import Settings
from rag.records import Hit, Paragraph

PARAGRAPHS = [
    ("a1", "家校同携手 护航成长路",
     "同时，全区中小学、幼儿园定期召开家长会。2021至2022学年以来，全区各校召开线上或线下家长会62次，组织开展丰富多彩的亲子活动。"),
    ("a1", "家校同携手 护航成长路",
     "天元区教育局局长龙超俊说，家校合作是一种“跨界交流”，天元区鼓励教师走出学校，父母走进学校。"),
    ("a1", "家校同携手 护航成长路",
     "5月7日，天元区教育局驻泰山路街道办事处社区工作室暨家校共育中心揭牌成立。揭牌仪式上，一场别开生面的家长课堂开启。"),
    ("a2", "隆回交警开展学生道路交通安全教育",
     "据统计，秋季开学以来，隆回交警走进学校开展交通安全宣传19场次，为学生发放宣传资料20000余份。"),
    ("a2", "隆回交警开展学生道路交通安全教育",
     "隆兴小学“膳食委员会、活动协调委员会、志愿护学委员会、宣传委员会”各司其职，为学校发展出谋划策。"),
    ("a3", "智慧能源站建成投运",
     "该工程在变电站的基础上，融合建设数据中心站、储能站、电动汽车充电站、光伏发电站等功能。工程项目经理黄湘源介绍，工程于2021年5月开工。"),
]


def _make_hits(rows=PARAGRAPHS, dense: float = 0.7) -> list[Hit]:  # type: ignore[no-untyped-def]
    """Hits in the given order, with descending scores."""
    hits = []
    counters: dict[str, int] = {}
    for i, (aid, title, text) in enumerate(rows):
        n = counters.get(aid, 0)
        counters[aid] = n + 1
        p = Paragraph(paragraph_id=f"{aid}#p{n}", article_id=aid, article_title=title, n=n, text=text, norm=text)
        hits.append(Hit(paragraph=p, chunk_id=f"{p.paragraph_id}#c0", chunk_text=text,
                        score=1.0 / (i + 1), dense_score=dense - 0.01 * i))
    return hits


class KeywordRetriever:
    """Ranks the hand-made paragraphs by shared character bigrams with the query."""

    def __init__(self, rows=PARAGRAPHS, dense: float = 0.7) -> None:
        self.hits = _make_hits(rows, dense)
        self.queries: list[str] = []

    def search(self, query: str, k: int = 5, mode: str | None = None, *,
               timings: dict[str, float] | None = None, filters: Any = None) -> list[Hit]:
        self.queries.append(query)
        grams = {query[i:i + 2] for i in range(len(query) - 1)}

        def overlap(h: Hit) -> int:
            t = h.paragraph.article_title + h.paragraph.text
            return sum(1 for g in grams if g in t)

        return sorted(self.hits, key=lambda h: -overlap(h))[:k]


@pytest.fixture(scope="session")
def tok() -> Tokenizer:
    """One jieba tokenizer for the session (loading its dictionary takes about a second)."""
    return Tokenizer()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings relocated to tmp_path."""
    return Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")


@pytest.fixture
def hits() -> list[Hit]:
    """The hand-made context."""
    return _make_hits()


@pytest.fixture
def make_hits():  # type: ignore[no-untyped-def]
    """A factory of hand-made contexts: make_hits(rows=..., dense=...)."""
    return _make_hits


@pytest.fixture
def retriever() -> KeywordRetriever:
    """A retriever over the hand-made paragraphs."""
    return KeywordRetriever()


def assert_fitted_on_crud_train_only(ids_sha256: str) -> None:
    """A packaged model's digest is that of crud-train's question ids, and none of those is a dev
    question (crud-qa dev, rgb-zh dev); skips where the datasets are absent."""
    import json

    from rag.answer.calibrate import ids_digest

    root = Settings().eval.datasets_dir

    def ids(path: Path) -> set[str]:
        return {json.loads(x)["id"] for x in path.read_text(encoding="utf-8").splitlines() if x.strip()}

    if not (root / "crud-qa" / "train.jsonl").is_file():
        pytest.skip(f"no datasets at {root}")
    train = ids(root / "crud-qa" / "train.jsonl")
    assert ids_sha256 == ids_digest(sorted(train))
    for dev in (root / "crud-qa" / "dev.jsonl", root / "rgb-zh" / "dev.jsonl"):
        if dev.is_file():
            assert not train & ids(dev), dev
