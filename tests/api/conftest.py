"""Fixtures: a pipeline (the real one with the fake embedder when it can open, else the in-memory fake)
and real servers on free loopback ports."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.serving import make_settings, open_test_pipeline, running

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.server import create_app  # noqa: E402


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The pipeline the API tests talk to (real, with the fake embedder, on a copy of the corpus)."""
    return open_test_pipeline(tmp_path_factory.mktemp("pipeline"))


@pytest.fixture(scope="session")
def base_url(pipeline: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server (API only, no key, generous rate limit) on a free port."""
    settings = make_settings(tmp_path_factory.mktemp("srv"), rate_limit_per_minute=0)
    with running(create_app(settings, pipeline, ui=False)) as url:
        yield url


@pytest.fixture()
def client(base_url: str) -> Iterator[httpx.Client]:
    """An HTTP client for the shared server."""
    with httpx.Client(base_url=base_url, timeout=60) as c:
        yield c
