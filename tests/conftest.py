"""Shared fixtures: settings relocated to tmp_path with the fake embedder, and the real models
(embedding, on-box LLM) once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def local_llm() -> Iterator[Any]:
    """The real on-box LLM (Qwen2.5-Coder-0.5B, 2 threads), loaded once per test session."""
    from rag.answer.local import LocalLLM

    settings = Settings()
    settings = settings.model_copy(update={"local_llm": settings.local_llm.model_copy(
        update={"model": "qwen2.5-coder-0.5b", "threads": 2})})
    local = LocalLLM(settings).start(background=False)
    assert local.state == "ready", local.status()
    yield local
    local.close()
