"""End to end with the real model: build on the bundled corpus, ask in English, find the Chinese paragraph."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings
from rag.index.builder import ensure_index, update_index
from rag.index.embedders.sentence_transformer import expected_fingerprint
from rag.retrieve import HybridRetriever

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.mark.slow
def test_real_model_end_to_end(tmp_path: Path, real_embedder) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index")
    index = ensure_index(settings, real_embedder)
    assert index.manifest.model_name == real_embedder.name and index.manifest.dim == real_embedder.dim
    again = update_index(settings, real_embedder)
    assert again.up_to_date and "0 re-embedded" in again.summary()
    # `rag index` on an unchanged corpus answers from this prediction, without loading the model
    assert expected_fingerprint(settings) == real_embedder.fingerprint

    retriever = HybridRetriever(index, real_embedder, settings)
    zh = retriever.search("天元区教育局的局长叫什么名字？", k=5)
    assert any("龙超俊" in h.paragraph.text for h in zh[:1])
    en = retriever.search("How many parent-teacher meetings did the schools in Tianyuan hold?", k=5)
    assert any("家长会62次" in h.paragraph.text for h in en[:3])
    assert all(h.dense_score is not None and -1 <= h.dense_score <= 1 for h in en)
