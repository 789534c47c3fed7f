"""What a client sends is cleaned and bounded at the boundary; what it gets back is UTF-8 JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.fakes import FakePipeline
from api.serving import make_settings, running
from rag.server import create_app

QUESTION = "天元区教育局的局长叫什么名字？"
ENDPOINTS = [
    ("/api/ask", lambda text: {"question": text}),
    ("/api/ask/stream", lambda text: {"question": text}),
    ("/api/search", lambda text: {"query": text}),
    ("/v1/chat/completions", lambda text: {"messages": [{"role": "user", "content": text}]}),
    ("/v1/chat/completions", lambda text: {"stream": True, "messages": [
        {"role": "user", "content": [{"type": "text", "text": text}]}]}),
]


def post_raw(client: httpx.Client, path: str, raw: str) -> httpx.Response:
    return client.post(path, content=raw.encode(), headers={"content-type": "application/json"})


@pytest.mark.parametrize(("path", "body"), ENDPOINTS)
@pytest.mark.parametrize("text", ["\ud800", "\udfff\x00", "\x00\x01\x1f\x7f\x85", " \ud83d "])
def test_only_unsafe_characters_is_an_empty_question(client: httpx.Client, path: str, body, text: str) -> None:
    r = post_raw(client, path, json.dumps(body(text)))  # ensure_ascii: "\ud800" on the wire
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize(("path", "body"), ENDPOINTS)
def test_unsafe_characters_are_removed_and_the_question_answered(client: httpx.Client, path: str,
                                                                 body) -> None:
    r = post_raw(client, path, json.dumps(body("天元区\x00教育局\ud800的局长\x1b叫什么名字？")))
    assert r.status_code == 200, r.text
    assert "\\u0000" not in r.text and "\\ud800" not in r.text


@pytest.fixture()
def fake_url(tmp_path: Path) -> Iterator[tuple[str, FakePipeline]]:
    fake = FakePipeline()
    settings = make_settings(tmp_path, rate_limit_per_minute=0, max_history_chars=100)
    with running(create_app(settings, fake, ui=False)) as url:
        yield url, fake


def test_history_is_cleaned_before_the_pipeline_sees_it(fake_url: tuple[str, FakePipeline]) -> None:
    url, fake = fake_url
    with httpx.Client(base_url=url) as c:
        r = post_raw(c, "/api/ask", '{"question": "他是谁？", "history": ['
                     '{"role": "user", "content": "局长\\u0000\\ud800是谁"}, '
                     '{"role": "assistant", "content": "龙超俊\\u0007[1]"}]}')
        assert r.status_code == 200, r.text
    assert fake.calls[-1][1]["history"] == [{"role": "user", "content": "局长是谁"},
                                            {"role": "assistant", "content": "龙超俊[1]"}]


@pytest.mark.parametrize(("path", "body"), [
    ("/api/ask", lambda h: {"question": QUESTION, "history": h}),
    ("/api/ask/stream", lambda h: {"question": QUESTION, "history": h}),
    ("/v1/chat/completions", lambda h: {"messages": [*h, {"role": "user", "content": QUESTION}]}),
    ("/v1/chat/completions", lambda h: {"stream": True,
                                        "messages": [*h, {"role": "user", "content": QUESTION}]}),
])
def test_history_over_max_history_chars_is_413(fake_url: tuple[str, FakePipeline], path: str,
                                               body) -> None:
    url, fake = fake_url
    within = [{"role": "user", "content": "问" * 50}, {"role": "assistant", "content": "答" * 50}]
    over = [*within, {"role": "user", "content": "再"}]
    with httpx.Client(base_url=url) as c:
        assert c.post(path, json=body(within)).status_code == 200
        calls = len(fake.calls)
        r = c.post(path, json=body(over))
    assert r.status_code == 413, r.text
    assert r.json() == {"error": {"code": "history_too_long", "message": r.json()["error"]["message"]}}
    assert "101" in r.json()["error"]["message"] and "100" in r.json()["error"]["message"]
    assert len(fake.calls) == calls, "the pipeline was called despite the refusal"


def test_default_history_limit_is_4000_characters(client: httpx.Client) -> None:
    turns = [{"role": "user", "content": "问" * 2000}, {"role": "assistant", "content": "答" * 2001}]
    r = client.post("/api/ask", json={"question": QUESTION, "history": turns})
    assert r.status_code == 413 and r.json()["error"]["code"] == "history_too_long"


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/api/ask", {"question": QUESTION}),
    ("POST", "/api/search", {"query": "隆回交警"}),
    ("GET", "/api/articles", None),
    ("GET", "/api/health", None),
    ("GET", "/api/status", None),
    ("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": QUESTION}]}),
    ("GET", "/v1/models", None),
    ("GET", "/api/openapi.json", None),
    ("GET", "/api/articles/no-such-article", None),  # errors too
    ("POST", "/api/ask", {"question": ""}),
    ("GET", "/api/nothing", None),
])
def test_json_is_utf8_with_a_charset(client: httpx.Client, method: str, path: str, body) -> None:
    r = client.request(method, path, json=body)
    assert r.headers["content-type"] == "application/json; charset=utf-8", (path, r.headers)
    assert "\\u" not in r.text
    r.content.decode("utf-8")  # strict


def test_chinese_travels_unescaped(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={"question": QUESTION})
    assert "龙超俊".encode() in r.content
    err = client.get("/api/articles/不存在")
    assert err.status_code == 404 and "不存在".encode() in err.content
