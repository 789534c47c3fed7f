"""Slow answers do not block other requests; arbitrary bodies never produce a 500 or a traceback."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.fakes import FakePipeline
from api.serving import make_settings, running
from rag.server import create_app


class SlowPipeline(FakePipeline):
    """Every answer takes a second of (simulated) CPU-bound work."""

    def ask(self, *a: Any, **k: Any) -> Any:
        time.sleep(1.0)
        return super().ask(*a, **k)


def test_slow_answers_run_off_the_event_loop(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, rate_limit_per_minute=0), SlowPipeline(), ui=False)
    with running(app) as url, httpx.Client(base_url=url, timeout=30) as c:
        t0 = time.perf_counter()
        with ThreadPoolExecutor(3) as pool:
            asks = [pool.submit(c.post, "/api/ask", json={"question": "天元区教育局局长"}) for _ in range(2)]
            time.sleep(0.2)
            health_t = time.perf_counter()
            assert c.get("/api/health").status_code == 200
            health_s = time.perf_counter() - health_t
            codes = [f.result().status_code for f in asks]
        assert codes == [200, 200]
        assert health_s < 0.5, "health waited behind an answer"
        assert time.perf_counter() - t0 < 1.9, "answers ran one after the other"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
bodies = st.fixed_dictionaries({}, optional={
    "question": json_values | st.text(max_size=40), "history": json_values,
    "top_k": json_values, "mode": json_values, "query": json_values, "k": json_values,
    "messages": json_values, "stream": json_values,
}) | json_values


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, path=st.sampled_from(["/api/ask", "/api/search", "/v1/chat/completions",
                                          "/api/ask/stream"]))
def test_arbitrary_json_never_500(client: httpx.Client, body: Any, path: str) -> None:
    r = client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
    assert r.status_code < 500 or r.status_code == 503, r.text
    assert "Traceback" not in r.text
    if r.status_code >= 400:
        assert set(r.json()["error"]) == {"code", "message"}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_500(client: httpx.Client, raw: bytes) -> None:
    r = client.post("/api/ask", content=raw, headers={"content-type": "application/json"})
    assert r.status_code in (200, 400, 413, 422), r.text
