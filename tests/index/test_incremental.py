"""An incremental generation equals a full build of the same articles; readers see whole ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from rag.config import Settings
from rag.editing import ArticleDraft, ArticleEditor
from rag.index.builder import ensure_index
from rag.index.embedders import make_embedder
from rag.index.integrity import verify_index
from rag.index.keyword import KeywordIndex
from rag.index.loaded import load_index

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    s = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    return s.model_copy(update={"model": s.model.model_copy(update={"name": "fake"})})


def test_updated_keyword_index_scores_like_a_fresh_one() -> None:
    texts = ["长沙市新建湘江大桥", "株洲市举办龙舟赛", "湘潭市新开图书馆 covid 2023"]
    base = KeywordIndex.build(["a", "b", "c"], texts)
    again = base.updated(["a", "c", "d"], [texts[0], texts[2], "衡阳市新建湘江大桥"])
    fresh = KeywordIndex.build(["a", "c", "d"], [texts[0], texts[2], "衡阳市新建湘江大桥"])
    for variant in ("words", "bigrams"):
        for q in ("湘江大桥", "图书馆 2023", "龙舟"):
            assert np.allclose(again.scores(q, variant), fresh.scores(q, variant))
    third = again.updated(["d"], ["衡阳市新建湘江大桥"])  # words reused from the last update
    assert np.allclose(third.scores("大桥", "words"), KeywordIndex.build(["d"], ["衡阳市新建湘江大桥"])
                       .scores("大桥", "words"))


def test_edits_match_a_full_rebuild(settings: Settings) -> None:
    embedder = make_embedder(settings)
    box = {"index": ensure_index(settings, embedder)}
    editor = ArticleEditor(settings, embedder, lambda: box["index"],
                           lambda i: box.__setitem__("index", i))
    editor.add([ArticleDraft("岳麓山新步道", "岳麓山新修步道三公里。\n\n步道沿途设有五个观景台。",
                             article_id="new-1", source="长沙晚报")])
    first = box["index"].articles[0].article_id
    report = editor.remove([first])
    assert report.delta.embedded == 0 and report.delta.removed
    edited = box["index"]
    assert verify_index(settings.index_dir).intact
    loaded = load_index(settings, embedder)
    full = ensure_index(settings.model_copy(update={"index_dir": settings.index_dir.parent / "full"}),
                        embedder)
    def scores(index: object, q: str) -> dict[str, float]:
        kw = index.keyword  # type: ignore[attr-defined]
        return dict(zip(kw.ids, kw.scores(q, "words").round(5).tolist(), strict=True))

    for index in (loaded, full):  # the same content (a full build orders files by name)
        assert sorted(c.chunk_id for c in index.chunks) == sorted(c.chunk_id for c in edited.chunks)
        assert sorted(a.article_id for a in index.articles) == sorted(a.article_id for a in edited.articles)
        assert scores(index, "步道 观景台") == scores(edited, "步道 观景台")
        ids = [c.chunk_id for c in index.chunks]
        assert np.allclose(index.store.vectors(ids), edited.store.vectors(ids))  # type: ignore[attr-defined]
    assert loaded.manifest.corpus_fingerprint == full.manifest.corpus_fingerprint
