"""No input makes the server answer 500 or show a stack trace; every error is the JSON envelope."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.fakes import FakePipeline
from api.serving import make_settings, running
from rag.errors import IndexCorruptError
from rag.server import create_app


def assert_error(r: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert "Traceback" not in r.text and 'File "' not in r.text
    if code:
        assert body["error"]["code"] == code
    return body


@pytest.mark.parametrize(("path", "content", "status", "code"), [
    ("/api/ask", b"{not json", 400, "malformed_json"),
    ("/api/ask", b"", 422, "invalid_request"),
    ("/api/ask", b'"just a string"', 422, "invalid_request"),
    ("/api/ask", b'{"question": 42}', 422, "invalid_request"),
    ("/api/ask", b'{"question": "   "}', 422, "invalid_request"),
    ("/api/ask", b'{"question": "hi", "top_k": "many"}', 422, "invalid_request"),
    ("/api/ask", b'{"question": "hi", "mode": "magic"}', 422, "invalid_request"),
    ("/api/ask", b'{"question": "hi", "history": [{"role": "bot", "content": "x"}]}', 422, None),
    ("/api/ask", b'{"question": "hi", "surprise": 1}', 422, "invalid_request"),
    ("/api/ask/stream", b'{"question": ""}', 422, "invalid_request"),
    ("/api/search", b'{"query": "x", "k": 0}', 422, "invalid_request"),
    ("/api/search", b"[1, 2", 400, "malformed_json"),
    ("/v1/chat/completions", b'{"messages": []}', 422, "invalid_request"),
    ("/v1/chat/completions", b'{"messages": [{"role": "assistant", "content": "x"}]}', 422, None),
    ("/v1/chat/completions", b"\xff\xfe", 400, None),
])
def test_bad_bodies(client: httpx.Client, path: str, content: bytes, status: int, code: str | None) -> None:
    r = client.post(path, content=content, headers={"content-type": "application/json"})
    assert_error(r, status, code)


def test_too_long_question_is_413(client: httpx.Client) -> None:
    assert_error(client.post("/api/ask", json={"question": "问" * 5000}), 413)


def test_huge_body_is_413(client: httpx.Client) -> None:
    assert_error(client.post("/api/ask", content=b"x" * 200_000,
                             headers={"content-type": "application/json"}), 413, "payload_too_large")


def test_huge_chunked_body_is_413(client: httpx.Client) -> None:
    def gen():  # no content-length: the limit is enforced while reading
        for _ in range(100):
            yield b"x" * 4096

    assert_error(client.post("/api/ask", content=gen(), headers={"content-type": "application/json"}),
                 413, "payload_too_large")


def test_unknown_article_is_404(client: httpx.Client) -> None:
    assert_error(client.get("/api/articles/no-such-article"), 404, "not_found")


def test_unknown_endpoints_and_methods(client: httpx.Client) -> None:
    assert_error(client.get("/api/nothing-here"), 404, "not_found")
    assert_error(client.post("/v1/engines"), 404, "not_found")
    assert_error(client.get("/api"), 404, "not_found")
    assert_error(client.get("/v1"), 404, "not_found")
    r = client.get("/api/ask")
    assert_error(r, 405, "method_not_allowed")
    assert "POST" in r.headers["allow"]


class BrokenPipeline(FakePipeline):
    """Raises a domain error on ask and a bug on search."""

    def ask(self, *a: Any, **k: Any) -> Any:
        raise IndexCorruptError("chunks.jsonl cannot be read")

    def stream(self, *a: Any, **k: Any) -> Any:
        yield "部分"
        raise RuntimeError("boom in the middle")

    def search(self, *a: Any, **k: Any) -> Any:
        raise RuntimeError("secret internals")


def test_pipeline_failures_become_503_json(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), BrokenPipeline(), ui=False)
    with running(app) as url, httpx.Client(base_url=url) as c:
        assert_error(c.post("/api/ask", json={"question": "x"}), 503, "index_corrupt")
        r = c.post("/api/search", json={"query": "x"})
        assert_error(r, 503, "internal_error")
        assert "secret internals" not in r.text
        s = c.post("/api/ask/stream", json={"question": "x"})
        assert s.status_code == 200
        assert "event: error" in s.text and "internal_error" in s.text and "boom" not in s.text


def test_not_ready_until_the_pipeline_opens(tmp_path: Path) -> None:
    gate = threading.Event()

    def slow_open(_settings: Any, _startup: Any) -> FakePipeline:
        gate.wait(20)
        return FakePipeline()

    app = create_app(make_settings(tmp_path), opener=slow_open, ui=False)
    with running(app) as url, httpx.Client(base_url=url) as c:
        health = c.get("/api/health").json()
        assert health["status"] == "starting" and health["ready"] is False
        assert_error(c.post("/api/ask", json={"question": "x"}), 503, "not_ready")
        assert_error(c.get("/api/articles"), 503, "not_ready")
        gate.set()
        for _ in range(100):
            if c.get("/api/health").json()["ready"]:
                break
            threading.Event().wait(0.05)
        assert c.post("/api/ask", json={"question": "天元区教育局局长是谁？"}).status_code == 200


def test_failed_start_is_reported(tmp_path: Path) -> None:
    def broken_open(_settings: Any, _startup: Any) -> FakePipeline:
        raise IndexCorruptError("manifest.json is garbage")

    app = create_app(make_settings(tmp_path), opener=broken_open, ui=False)
    with running(app) as url, httpx.Client(base_url=url) as c:
        for _ in range(100):
            health = c.get("/api/status").json()
            if health["status"] != "starting":
                break
            threading.Event().wait(0.05)
        assert health["status"] == "corrupt" and health["error"]["code"] == "index_corrupt"
        body = assert_error(c.post("/api/ask", json={"question": "x"}), 503, "index_corrupt")
        assert "manifest.json is garbage" in body["error"]["message"]


def test_progressive_start_answers_from_keywords_then_switches_to_hybrid(tmp_path: Path) -> None:
    from rag.pipeline import Pipeline

    gate = threading.Event()

    def gated_open(settings: Any, startup: Any) -> Any:
        def report(progress: dict[str, Any]) -> None:
            startup.report(progress)
            if progress.get("phase") == "dense" and progress.get("embedded") == 0:
                gate.wait(30)  # hold the dense build so the test sees the keyword-only stage

        return Pipeline.open_progressively(settings, startup.publish, report)

    app = create_app(make_settings(tmp_path), opener=gated_open, ui=False)
    with running(app) as url, httpx.Client(base_url=url, timeout=30) as c:
        for _ in range(400):
            health = c.get("/api/status").json()
            if (health.get("progress") or {}).get("phase") == "dense":
                break
            threading.Event().wait(0.05)
        assert health["ready"] is True and health["status"] == "ok"
        assert health["progress"]["chunks"] > 0 and "partial_after_s" in health
        assert health["pipeline"]["retrieval"].startswith("keyword")
        r = c.post("/api/ask", json={"question": "天元区教育局局长叫什么名字？"})
        assert r.status_code == 200 and "龙超俊" in r.json()["answer"]
        gate.set()
        for _ in range(400):
            health = c.get("/api/status").json()
            if health.get("progress") is None:
                break
            threading.Event().wait(0.05)
        assert health["ready"] is True and health["pipeline"]["retrieval"] == "hybrid", health
