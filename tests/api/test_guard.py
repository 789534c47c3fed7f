"""API key, per-client rate limit, body size and time limits on /api and /v1; the public probe, the
loopback-only status, and the same limits (no key) on the UI's /gradio_api routes."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from api.fakes import FakePipeline
from api.serving import make_settings, running
from rag.api.guard import TokenBucket, presented_key, zone
from rag.server import create_app

KEY = "s3cret-key"


@pytest.fixture()
def keyed_url(tmp_path: Path) -> Iterator[str]:
    settings = make_settings(tmp_path, api_key=KEY, rate_limit_per_minute=0)
    with running(create_app(settings, FakePipeline(), ui=False)) as url:
        yield url


def test_api_key_is_required_on_api_and_v1(keyed_url: str) -> None:
    with httpx.Client(base_url=keyed_url) as c:
        for method, path in (("GET", "/api/status"), ("GET", "/api/articles"), ("GET", "/v1/models"),
                             ("POST", "/api/ask"), ("POST", "/v1/chat/completions")):
            r = c.request(method, path, json={"question": "x"})
            assert r.status_code == 401, (path, r.text)
            assert r.json()["error"]["code"] == "missing_api_key"
        r = c.get("/api/articles", headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"


def test_bearer_and_x_api_key_both_work(keyed_url: str) -> None:
    with httpx.Client(base_url=keyed_url) as c:
        assert c.get("/api/articles", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        assert c.get("/api/articles", headers={"X-API-Key": KEY}).status_code == 200
        assert c.get("/v1/models", headers={"authorization": f"bearer {KEY}"}).status_code == 200


def test_docs_stay_public_with_a_key(keyed_url: str) -> None:
    with httpx.Client(base_url=keyed_url) as c:
        assert c.get("/api/openapi.json").status_code == 200
        assert c.get("/api/docs").status_code == 200


def test_rate_limit_gives_429_with_retry_after(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rate_limit_per_minute=3)
    with running(create_app(settings, FakePipeline(), ui=False)) as url, httpx.Client(base_url=url) as c:
        codes = [c.get("/api/articles").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = c.get("/api/articles")
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 20


def test_rate_limit_is_per_key(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, api_key=KEY, rate_limit_per_minute=2)
    with running(create_app(settings, FakePipeline(), ui=False)) as url, httpx.Client(base_url=url) as c:
        for _ in range(2):
            assert c.get("/api/articles", headers={"X-API-Key": KEY}).status_code == 200
        assert c.get("/api/articles", headers={"X-API-Key": KEY}).status_code == 429
        # Another client (here: no key, keyed by IP) has its own bucket.
        assert c.get("/api/articles").status_code == 401


def test_token_bucket_refills_over_time() -> None:
    bucket = TokenBucket(per_minute=60)  # one per second
    assert all(bucket.take("a", now=0.0) == 0.0 for _ in range(60))
    wait = bucket.take("a", now=0.0)
    assert wait == pytest.approx(1.0)
    assert bucket.take("a", now=1.01) == 0.0
    assert bucket.take("b", now=0.0) == 0.0
    assert TokenBucket(per_minute=0).take("a") == 0.0


def test_token_bucket_memory_is_bounded() -> None:
    bucket = TokenBucket(per_minute=10, max_clients=100)
    for i in range(1000):
        bucket.take(f"c{i}", now=float(i))
    assert len(bucket._buckets) <= 100


def test_presented_key() -> None:
    assert presented_key({"authorization": "Bearer abc"}) == "abc"
    assert presented_key({"x-api-key": " abc "}) == "abc"
    assert presented_key({"authorization": "Basic abc"}) is None
    assert presented_key({}) is None


def test_health_is_public_and_not_rate_limited(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, api_key=KEY, rate_limit_per_minute=2)
    with running(create_app(settings, FakePipeline(), ui=False)) as url, httpx.Client(base_url=url) as c:
        probes = [c.get("/api/health") for _ in range(10)]
        assert {r.status_code for r in probes} == {200}
        assert probes[0].json().keys() == {"status", "ready", "uptime_s"}
        assert probes[0].json()["status"] == "ok"
        # the probes spent nothing: the keyed client still has its two requests
        assert [c.get("/api/articles", headers={"X-API-Key": KEY}).status_code for _ in range(3)] == [
            200, 200, 429]


def test_status_needs_the_key_when_one_is_set(keyed_url: str) -> None:
    with httpx.Client(base_url=keyed_url) as c:
        assert c.get("/api/status").status_code == 401
        r = c.get("/api/status", headers={"X-API-Key": KEY})
        assert r.status_code == 200 and r.json()["pipeline"]["model"] == "fake"


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", 200), ("::1", 200), ("203.0.113.7", 403), ("10.0.0.2", 403)])
def test_status_without_a_key_is_for_loopback_only(tmp_path: Path, host: str, expected: int) -> None:
    app = create_app(make_settings(tmp_path, rate_limit_per_minute=0), FakePipeline(), ui=False)
    with TestClient(app, client=(host, 50000)) as c:
        r = c.get("/api/status")
        assert r.status_code == expected, r.text
        if expected == 403:
            assert r.json()["error"]["code"] == "forbidden"
            assert "/api/status" in r.json()["error"]["message"]
        assert c.get("/api/health").status_code == 200  # the probe answers everyone
        assert c.get("/api/articles").status_code == 200  # the rest of /api is unchanged


def test_status_with_a_key_is_served_to_any_client_that_has_it(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, api_key=KEY), FakePipeline(), ui=False)
    with TestClient(app, client=("203.0.113.7", 50000)) as c:
        assert c.get("/api/status", headers={"X-API-Key": KEY}).status_code == 200


def _raw_request(url: str, head: bytes, pieces: list[bytes], pause_s: float) -> tuple[float, bytes]:
    """Send the head and then `pieces` with pauses (stopping once the server answers); the seconds
    until the answer, and everything the server sent until it closed the connection."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        t0 = time.monotonic()
        sock.sendall(head)
        for piece in pieces:
            if select.select([sock], [], [], pause_s)[0]:
                break  # answered: more bytes would only make the close a reset
            sock.sendall(piece)
        data = sock.recv(65536)
        answered = time.monotonic() - t0
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):  # the server closes: b"" well within the timeout
                data += chunk
        return answered, data


def _timeout_url(tmp_path: Path) -> contextlib.AbstractContextManager[str]:
    settings = make_settings(tmp_path, rate_limit_per_minute=0, body_timeout_s=0.5)
    return running(create_app(settings, FakePipeline(), ui=False))


HEAD = (b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n")


def test_body_shorter_than_its_content_length_gets_408_and_is_closed(tmp_path: Path) -> None:
    with _timeout_url(tmp_path) as url:
        answered, data = _raw_request(url, HEAD + b'{"question": "x', [], 0)
    assert 0.4 < answered < 5
    status, _, body = data.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 408"), data
    assert b"content-type: application/json; charset=utf-8" in status.lower()
    assert b"connection: close" in status.lower()
    assert json.loads(body)["error"]["code"] == "request_timeout"


def test_body_trickled_in_gets_408(tmp_path: Path) -> None:
    # Each byte comes well within the timeout; the whole body does not.
    with _timeout_url(tmp_path) as url:
        answered, data = _raw_request(url, HEAD, [b" "] * 40, 0.05)
    assert data.startswith(b"HTTP/1.1 408"), data
    assert answered < 5


def test_a_complete_body_is_unaffected_by_the_timeout(tmp_path: Path) -> None:
    with _timeout_url(tmp_path) as url, httpx.Client(base_url=url) as c:
        assert c.post("/api/ask", json={"question": "天元区教育局局长"}).status_code == 200


@pytest.fixture(scope="module")
def ui_limited_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole app, UI mounted, with a small rate limit and an API key (which the UI needs not)."""
    settings = make_settings(tmp_path_factory.mktemp("ui"), rate_limit_per_minute=3, api_key=KEY)
    with running(create_app(settings, FakePipeline())) as url:
        yield url


def test_ui_routes_are_rate_limited_without_a_key(ui_limited_url: str) -> None:
    with httpx.Client(base_url=ui_limited_url) as c:
        codes = [c.get("/gradio_api/info").status_code for _ in range(3)]
        assert codes == [200, 200, 200]  # public: no key asked
        burst = [c.post("/gradio_api/queue/join", json={"data": [], "fn_index": 0,
                                                         "session_hash": "x"}) for _ in range(3)]
        r = burst[-1]
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
        assert int(r.headers["retry-after"]) >= 1
        # The UI's budget is its own: the API (here with its key) still answers.
        assert c.get("/api/articles", headers={"X-API-Key": KEY}).status_code == 200
        # The page itself is not a Gradio API route and stays unlimited.
        assert c.get("/").status_code == 200


def test_ui_routes_refuse_huge_bodies(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rate_limit_per_minute=0)
    with running(create_app(settings, FakePipeline())) as url, httpx.Client(base_url=url) as c:
        r = c.post("/gradio_api/queue/join", content=b"x" * 200_000,
                   headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
            for _ in range(100):
                yield b"x" * 4096

        r = c.post("/gradio_api/call/respond", content=chunks())
        assert r.status_code == 413


def test_zone() -> None:
    assert zone("/api/ask") == zone("/v1/models") == zone("/api") == "api"
    assert zone("/gradio_api/queue/join") == zone("/gradio_api/call/respond") == "ui"
    assert zone("/") == zone("/assets/index.js") == zone("/config") == "open"
