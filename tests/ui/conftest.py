"""Fixtures: one real server with the UI mounted, on a free loopback port."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from api.serving import make_settings, open_test_pipeline, running

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.server import create_app  # noqa: E402


@pytest.fixture(scope="module")
def ui_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole app (UI at "/", API under /api) served by uvicorn in a thread."""
    tmp = tmp_path_factory.mktemp("ui")
    app = create_app(make_settings(tmp, rate_limit_per_minute=0), open_test_pipeline(tmp))
    with running(app) as url:
        yield url
