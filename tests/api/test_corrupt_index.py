"""A server started on a corrupt index says so: /api/health status "corrupt", /api/status naming the file and the
fix, /api/ask 503 index_corrupt; with index.rebuild_on_corrupt it rebuilds from the corpus instead."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.serving import make_settings, running
from api.test_errors import assert_error
from rag.config import Settings
from rag.errors import ModelError
from rag.index.builder import update_index
from rag.index.embedders import FakeEmbedder
from rag.index.integrity import verify_index
from rag.index.layout import current_dir
from rag.server import create_app


def _settle(c: httpx.Client) -> dict[str, Any]:
    """/api/status (loopback, no key) once the start has finished (ready with the full pipeline,
    or failed); the public /api/health says the same status word, without the detail."""
    health: dict[str, Any] = {}
    for _ in range(600):
        health = c.get("/api/status").json()
        if health["status"] in ("corrupt", "error") or (health["ready"] and not health.get("progress")):
            break
        threading.Event().wait(0.05)
    return health


def _flip_faiss(settings: Settings) -> Path:
    gen = current_dir(settings.index_dir)
    assert gen is not None
    path = gen / "store" / "vectors.faiss"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    return path


def _garbage_manifest(settings: Settings) -> Path:
    gen = current_dir(settings.index_dir)
    assert gen is not None
    (gen / "manifest.json").write_text('{"format_version": 4, "model_name": ', encoding="utf-8")
    return gen / "manifest.json"


@pytest.mark.parametrize("damage", [_flip_faiss, _garbage_manifest], ids=["faiss-byte", "manifest"])
def test_a_corrupt_index_is_reported_not_served(tmp_path: Path, damage: Any) -> None:
    settings = make_settings(tmp_path)
    update_index(settings, FakeEmbedder())
    damaged = damage(settings)
    with running(create_app(settings, ui=False)) as url, httpx.Client(base_url=url, timeout=30) as c:
        health = _settle(c)
        assert health["status"] == "corrupt" and health["ready"] is False, health
        assert c.get("/api/health").json()["status"] == "corrupt"
        assert health["error"]["code"] == "index_corrupt"
        assert str(damaged) in health["error"]["message"]
        assert "rag index --force" in health["error"]["message"]
        body = assert_error(c.post("/api/ask", json={"question": "天元区教育局局长是谁？"}),
                            503, "index_corrupt")
        assert str(damaged) in body["error"]["message"]
        assert_error(c.post("/api/search", json={"query": "家长会"}), 503, "index_corrupt")


def test_rebuild_on_corrupt_serves_a_rebuilt_index(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    update_index(settings, FakeEmbedder())
    _flip_faiss(settings)
    settings = settings.model_copy(update={"index": settings.index.model_copy(
        update={"rebuild_on_corrupt": True})})
    with running(create_app(settings, ui=False)) as url, httpx.Client(base_url=url, timeout=30) as c:
        health = _settle(c)
        assert health["status"] == "ok" and health["ready"] is True, health
        assert health["pipeline"]["retrieval"] == "hybrid"
        r = c.post("/api/ask", json={"question": "天元区教育局局长叫什么名字？"})
        assert r.status_code == 200 and "龙超俊" in r.json()["answer"]
    assert verify_index(settings.index_dir).intact
    manifest = json.loads((current_dir(settings.index_dir) / "manifest.json").read_text())  # type: ignore[operator]
    assert "files" not in health["pipeline"]["manifest"] and manifest["files"]


def test_other_start_failures_are_still_errors(tmp_path: Path) -> None:
    def no_model(_settings: Any, _startup: Any) -> Any:
        raise ModelError("the embedding model is not downloaded yet")

    app = create_app(make_settings(tmp_path), opener=no_model, ui=False)
    with running(app) as url, httpx.Client(base_url=url) as c:
        health = _settle(c)
        assert health["status"] == "error" and health["error"]["code"] == "model_unavailable"
        assert_error(c.post("/api/ask", json={"question": "x"}), 503, "not_ready")
