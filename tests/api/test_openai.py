"""/v1 speaks the OpenAI protocol (checked with the official client) and keeps the citations."""

from __future__ import annotations

import json

import httpx
import pytest

QUESTION = "天元区教育局的局长叫什么名字？"


def test_chat_completion_carries_citations(client: httpx.Client) -> None:
    r = client.post("/v1/chat/completions", json={
        "model": "rag-news", "messages": [{"role": "system", "content": "be brief"},
                                          {"role": "user", "content": QUESTION}], "temperature": 0})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "chat.completion"
    msg = body["choices"][0]["message"]
    assert msg["role"] == "assistant" and body["choices"][0]["finish_reason"] == "stop"
    assert "龙超俊" in msg["content"] and "Sources" in msg["content"]
    assert body["citations"][0]["paragraph_id"] in msg["content"]
    assert body["usage"]["total_tokens"] > 0


def test_chat_completion_stream_chunks_end_with_done(client: httpx.Client) -> None:
    with client.stream("POST", "/v1/chat/completions", json={
            "model": "rag-news", "stream": True,
            "messages": [{"role": "user", "content": [{"type": "text", "text": QUESTION}]}]}) as r:
        assert r.status_code == 200
        frames = [f for f in r.read().decode().split("\n\n") if f.strip()]
    assert frames[-1] == "data: [DONE]"
    chunks = [json.loads(f.removeprefix("data: ")) for f in frames[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "龙超俊" in text and "Sources" in text
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"]


def test_models(client: httpx.Client) -> None:
    data = client.get("/v1/models").json()
    assert data["object"] == "list" and "rag-news" in {m["id"] for m in data["data"]}


def test_history_footer_is_stripped(client: httpx.Client, pipeline: object) -> None:
    first = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}]})
    reply = first.json()["choices"][0]["message"]["content"]
    r = client.post("/v1/chat/completions", json={"messages": [
        {"role": "user", "content": QUESTION}, {"role": "assistant", "content": reply},
        {"role": "user", "content": "他把家校合作比作什么？"}]})
    assert r.status_code == 200
    calls = getattr(pipeline, "calls", None)
    if calls:  # the fake records what the API handed over
        history = calls[-1][1]["history"]
        assert history[-1]["role"] == "assistant" and "Sources" not in history[-1]["content"]


def test_official_openai_client(base_url: str) -> None:
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0)
    assert "rag-news" in [m.id for m in client.models.list()]
    out = client.chat.completions.create(model="rag-news", messages=[{"role": "user", "content": QUESTION}])
    assert "龙超俊" in out.choices[0].message.content
    assert out.model_extra["citations"]  # the extra field survives the client's parsing
    stream = client.chat.completions.create(model="rag-news", stream=True,
                                            messages=[{"role": "user", "content": QUESTION}])
    text = "".join(ch.choices[0].delta.content or "" for ch in stream if ch.choices)
    assert "龙超俊" in text
