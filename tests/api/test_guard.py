"""API key and per-client rate limit on /api and /v1; the rest of the site stays public."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.fakes import FakePipeline
from api.serving import make_settings, running
from rag.api.guard import TokenBucket, presented_key
from rag.server import create_app

KEY = "s3cret-key"


@pytest.fixture()
def keyed_url(tmp_path: Path) -> Iterator[str]:
    settings = make_settings(tmp_path, api_key=KEY, rate_limit_per_minute=0)
    with running(create_app(settings, FakePipeline(), ui=False)) as url:
        yield url


def test_api_key_is_required_on_api_and_v1(keyed_url: str) -> None:
    with httpx.Client(base_url=keyed_url) as c:
        for method, path in (("GET", "/api/health"), ("GET", "/api/articles"), ("GET", "/v1/models"),
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
