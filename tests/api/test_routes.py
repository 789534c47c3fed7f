"""The /api endpoints against a real server on a loopback port."""

from __future__ import annotations

import json

import httpx

QUESTION = "天元区教育局的局长叫什么名字？"


def sse_events(text: str) -> list[tuple[str, dict]]:
    events = []
    for frame in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.splitlines() if ": " in line)
        events.append((lines.get("event", "message"), json.loads(lines["data"])))
    return events


def test_ask_answers_with_citations_that_resolve(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"answer", "abstained", "citations", "timings_ms"}
    assert body["abstained"] is False
    assert "龙超俊" in body["answer"]
    assert "[1]" in body["answer"]
    c = body["citations"][0]
    assert set(c) == {"n", "article_id", "article_title", "paragraph_id", "text", "quote", "score"}
    assert c["quote"] in c["text"] and "龙超俊" in c["text"]
    article = client.get(f"/api/articles/{c['article_id']}").json()
    assert c["paragraph_id"] in {p["paragraph_id"] for p in article["paragraphs"]}
    assert body["timings_ms"]["server_total"] >= 0


def test_ask_accepts_history_top_k_and_mode(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={
        "question": "他把家校合作比作什么？", "top_k": 3, "mode": "extractive",
        "history": [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "龙超俊[1]"}]})
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["abstained"], bool)


def test_unanswerable_question_abstains_with_related(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={"question": "火星上的天气怎么样？"})
    assert r.status_code == 200
    body = r.json()
    assert body["abstained"] is True and body["citations"] == []
    assert isinstance(body["related"], list)


def test_ask_stream_sends_deltas_then_the_answer(client: httpx.Client) -> None:
    with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = sse_events(r.read().decode())
    kinds = [e for e, _ in events]
    assert kinds[-1] == "answer" and "delta" in kinds
    streamed = "".join(d["text"] for e, d in events if e == "delta")
    final = events[-1][1]
    assert final["citations"] and "龙超俊" in final["answer"]
    assert streamed.strip() and "龙超俊" in streamed


def test_search_returns_ranked_paragraphs(client: httpx.Client) -> None:
    r = client.post("/api/search", json={"query": "隆回交警 宣传资料", "k": 3})
    assert r.status_code == 200, r.text
    hits = r.json()["hits"]
    assert 1 <= len(hits) <= 3
    assert [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
    assert any("交警" in h["text"] or "交警" in h["article_title"] for h in hits)
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_articles_list_and_detail(client: httpx.Client) -> None:
    arts = client.get("/api/articles").json()["articles"]
    assert len(arts) >= 2
    first = arts[0]
    detail = client.get(f"/api/articles/{first['article_id']}").json()
    assert detail["title"] == first["title"]
    assert len(detail["paragraphs"]) == first["paragraph_count"] > 0
    assert all(p["paragraph_id"].startswith(first["article_id"]) for p in detail["paragraphs"])


def test_health_is_a_bare_probe(client: httpx.Client) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json().keys() == {"status", "ready", "uptime_s"}
    assert r.json()["status"] == "ok" and r.json()["ready"] is True


def test_status_reports_ready_pipeline(client: httpx.Client) -> None:
    body = client.get("/api/status").json()  # the test client is on loopback: no key needed
    assert body["status"] == "ok" and body["ready"] is True
    assert body["pipeline"]["articles"] >= 2
    assert body["version"]


def test_openapi_and_docs_are_served_locally(client: httpx.Client) -> None:
    spec = client.get("/api/openapi.json").json()
    for path in ("/api/ask", "/api/ask/stream", "/api/search", "/api/articles",
                 "/api/articles/{article_id}", "/api/health", "/api/status",
                 "/v1/chat/completions", "/v1/models"):
        assert path in spec["paths"], path
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "/api/openapi.json" in docs.text
    assert "cdn" not in docs.text.lower() and "https://" not in docs.text
