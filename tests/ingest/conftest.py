"""Fixtures for ingest tests: the bundled page and the second invented page."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HUNAN_PAGE = ROOT / "corpus" / "hunan-news-page.txt"
SECOND_PAGE = ROOT / "tests" / "fixtures" / "ingest" / "second-page.txt"


@pytest.fixture
def hunan_text() -> str:
    """The bundled newspaper page."""
    return HUNAN_PAGE.read_text(encoding="utf-8")


@pytest.fixture
def second_text() -> str:
    """The invented second newspaper page with the same kinds of layout damage."""
    return SECOND_PAGE.read_text(encoding="utf-8")
