"""Fuzzing: schemathesis over every operation of the OpenAPI document, and a property over question
strings (any code point, surrogates and controls included, very long ones too) through the ASGI app.
No input may give a 5xx; every answer is JSON (or, for the streams, SSE) that matches the document."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from api.fakes import FakePipeline
from rag.config import ServerSettings, Settings
from rag.feedback import QuestionLog
from rag.server import create_app

schemathesis = pytest.importorskip("schemathesis", reason="pip install -e .[dev]")
from schemathesis.config import SchemathesisConfig  # noqa: E402

# Refusals the document cannot state as schema constraints: 413 (a body over max_body_bytes, a
# history over max_history_chars, a question over the pipeline's limit) and, for schema-valid
# data, 422 (a question of spaces and control characters only, a /v1 conversation not ending
# with a user message). Both are documented answers; a 5xx or a non-conforming body still fails.
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "413", "422", "429"]
CONFIG = SchemathesisConfig.from_dict({
    "generation": {"max-examples": 15},
    "checks": {"negative_data_rejection": {"expected-statuses": REFUSALS},
               "positive_data_acceptance": {"expected-statuses": ACCEPTED}},
})


KEY = "fuzz-key"
_LOG_DIR = tempfile.TemporaryDirectory(prefix="rag-fuzz-")  # removed when the session ends


def _app() -> Any:
    """The API over the in-memory fake (nothing on disk): no rate limit, as the fuzzer sends
    bursts; a key, so that /api/status answers the test client (not a loopback address)."""
    settings = Settings(server=ServerSettings(rate_limit_per_minute=0, api_key=KEY))
    return create_app(settings, FakePipeline(), ui=False,  # the question log: never the repo's embeddings/
                      questions=QuestionLog(settings.question_log, Path(_LOG_DIR.name)))


schema = schemathesis.openapi.from_asgi("/api/openapi.json", _app(), config=CONFIG)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case: Any) -> None:
    case.call_and_validate(headers={"X-API-Key": KEY})


questions = st.one_of(
    # any code point; lone surrogates (category Cs) only when asked for by name
    st.text(st.characters() | st.characters(categories=["Cs"]), max_size=60),
    st.text(st.sampled_from("\x00\x01\x1b\x7f\x85\x9f\ud800\udfff\n\t 问答"), max_size=40),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(100, 20_000)),
)
ROUTES = {
    "/api/ask": lambda q: {"question": q},
    "/api/ask/stream": lambda q: {"question": q},
    "/api/search": lambda q: {"query": q},
    "/v1/chat/completions": lambda q: {"messages": [{"role": "user", "content": q}]},
}


@pytest.fixture(scope="module")
def asgi() -> Iterator[TestClient]:
    with TestClient(_app(), headers={"X-API-Key": KEY},
                    raise_server_exceptions=False) as c:
        yield c


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(question=questions, path=st.sampled_from(sorted(ROUTES)), history=st.booleans())
def test_any_question_string_gets_a_json_answer_below_500(asgi: TestClient, question: str, path: str,
                                                          history: bool) -> None:
    body = ROUTES[path](question)
    if history and "question" in body:
        body["history"] = [{"role": "user", "content": question[:20_000]}]
    r = asgi.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
    assert r.status_code < 500, r.text
    if r.headers["content-type"].startswith("text/event-stream"):
        assert r.status_code == 200 and "internal_error" not in r.text
        return
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    payload = json.loads(r.content.decode("utf-8"))
    if r.status_code >= 400:
        assert set(payload["error"]) == {"code", "message"}
