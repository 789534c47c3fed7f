"""Shared fixtures: settings relocated to tmp_path with the fake embedder, and the real model once."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings


@pytest.fixture
def fake_settings(tmp_path: Path) -> Settings:
    """Settings whose state lives under tmp_path and whose embedder is the deterministic fake."""
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    return settings.model_copy(
        update={"model": settings.model.model_copy(update={"name": "fake"})}
    )


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    """The default sentence-transformers model, loaded once per test session (~20 s)."""
    from rag.index.embedders import make_embedder

    return make_embedder(Settings())
