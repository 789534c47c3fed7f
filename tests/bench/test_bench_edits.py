"""bench/edits.py on a tiny index with the fake embedder: the figures are there and the edits seen."""

from __future__ import annotations

from pathlib import Path

from bench.edits import measure, scratch
from rag.config import Settings
from rag.index.builder import ensure_index
from rag.index.embedders import make_embedder

REPO = Path(__file__).resolve().parents[2]


def test_time_to_visible(tmp_path: Path) -> None:
    page = REPO / "corpus" / "hunan-news-page.txt"
    s = Settings(corpus_dir=page, index_dir=tmp_path / "built")
    s = s.model_copy(update={"model": s.model.model_copy(update={"name": "fake"})})
    ensure_index(s, make_embedder(s))
    result = measure(scratch(s.index_dir, page, tmp_path / "scratch", s), warm_words=True)
    for step in ("add", "update", "delete"):
        assert result[step]["time_to_visible_s"] > 0
        assert result[step]["retrieved"] == (step != "delete")
        assert "total" in result[step]["timings_ms"]
    assert page.read_text(encoding="utf-8")  # the linked corpus file is never written
