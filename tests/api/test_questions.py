"""The question log over a real server: answer ids everywhere, the staff's unanswered list and
feedback (behind the key), CSV, and the eval-set export loaded back with the eval loader."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from api.fakes import FakePipeline
from api.serving import make_settings, running
from rag.cli import main as cli
from rag.eval.questions import load_questions
from rag.server import create_app

KEY = "staff-key"
H = {"Authorization": f"Bearer {KEY}"}
UNANSWERABLE = "火星上今天的天气怎么样？"
ANSWERABLE = "天元区教育局的局长叫什么名字？"


@pytest.fixture
def keyed(pipeline: Any, tmp_path: Path) -> Iterator[tuple[httpx.Client, Path]]:
    """A server with a staff key and its own question log; yields a client and the index dir."""
    settings = make_settings(tmp_path, api_key=KEY, rate_limit_per_minute=0)
    with running(create_app(settings, pipeline, ui=False)) as url, \
            httpx.Client(base_url=url, timeout=60) as c:
        yield c, settings.index_dir


def _ask(c: httpx.Client, question: str) -> dict[str, Any]:
    r = c.post("/api/ask", headers=H, json={"question": question})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["answer_id"].startswith("ans-")
    return body


def test_unanswered_question_feedback_and_eval_export(keyed: tuple[httpx.Client, Path], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    c, index_dir = keyed
    refused = _ask(c, UNANSWERABLE)
    assert refused["abstained"]
    _ask(c, UNANSWERABLE.replace("？", "?"))  # a near-duplicate: one group
    answered = _ask(c, ANSWERABLE)
    assert not answered["abstained"]

    r = c.get("/api/questions", headers=H, params={"unanswered": "true"})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["enabled"] and page["total"] == 2
    (group,) = page["groups"]
    assert group["count"] == 2 and group["example"].startswith("火星上今天的天气怎么样")
    assert group["first_seen"] <= group["last_seen"]
    assert {q["answer_id"] for q in page["questions"]} >= {refused["answer_id"]}
    assert all(not q["answered"] for q in page["questions"])

    r = c.post("/api/feedback", headers=H, json={"answer_id": answered["answer_id"], "rating": "down",
                                                  "comment": "龙超俊"})
    assert r.status_code == 200, r.text
    assert r.json()["rating"] == "down" and r.json()["question"] == ANSWERABLE
    c.post("/api/feedback", headers=H, json={"answer_id": refused["answer_id"], "rating": "down"})

    feedback = c.get("/api/feedback", headers=H).json()["feedback"]
    assert [f["answer_id"] for f in feedback] == [refused["answer_id"], answered["answer_id"]]
    assert feedback[1]["comment"] == "龙超俊"
    rows = {q["answer_id"]: q for q in c.get("/api/questions", headers=H).json()["questions"]}
    assert rows[answered["answer_id"]]["rating"] == "down"
    assert rows[answered["answer_id"]]["cited"] == [x["paragraph_id"] for x in answered["citations"]]
    assert rows[answered["answer_id"]]["latency_ms"] > 0
    assert "ip" not in rows[answered["answer_id"]] and "client" not in rows[answered["answer_id"]]
    paged = c.get("/api/questions", headers=H, params={"limit": 1, "offset": 1}).json()
    assert paged["total"] == 3 and len(paged["questions"]) == 1
    assert paged["questions"][0]["answer_id"] not in {answered["answer_id"]}  # newest first

    out = tmp_path / "regression.jsonl"
    assert cli(["--index-dir", str(index_dir), "questions", "--export-eval", str(out)]) == 0
    items = {q.question: q for q in load_questions(out)}
    assert items[ANSWERABLE].answers == ("龙超俊",)  # the staff's comment is the expected answer
    assert items[ANSWERABLE].extras["origin"] == "down-voted"
    assert any(q.unanswerable and q.question.startswith("火星") for q in items.values())

    capsys.readouterr()
    assert cli(["--index-dir", str(index_dir), "questions", "--unanswered"]) == 0
    printed = capsys.readouterr().out
    assert "火星上今天的天气怎么样" in printed and "    2" in printed


def test_csv_exports(keyed: tuple[httpx.Client, Path], tmp_path: Path) -> None:
    c, index_dir = keyed
    body = _ask(c, UNANSWERABLE)
    c.post("/api/feedback", headers=H, json={"answer_id": body["answer_id"], "rating": "down",
                                              "comment": "应说明没有, 并给出来源"})
    r = c.get("/api/questions.csv", headers=H, params={"unanswered": "true"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    (row,) = csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")))
    assert row["count"] == "1" and row["example"] == UNANSWERABLE and row["down_votes"] == "1"
    same = c.get("/api/questions", headers=H, params={"unanswered": "true", "format": "csv"})
    assert same.content == r.content
    listed = c.get("/api/questions.csv", headers=H, params={"view": "list"}).content.decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(listed))
    assert row["answer_id"] == body["answer_id"] and row["comment"] == "应说明没有, 并给出来源"
    fb = c.get("/api/feedback", headers=H, params={"format": "csv"}).content.decode("utf-8-sig")
    assert next(csv.DictReader(io.StringIO(fb)))["rating"] == "down"
    out = tmp_path / "q.csv"
    assert cli(["--index-dir", str(index_dir), "questions", "--unanswered", "--csv", str(out)]) == 0
    assert out.read_text("utf-8-sig").splitlines()[1].startswith("1,火星")


def _events(text: str) -> list[tuple[str, Any]]:
    out = []
    for frame in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.splitlines() if ": " in line)
        data = lines.get("data", "")
        out.append((lines.get("event", ""), data if data == "[DONE]" else json.loads(data)))
    return out


def test_stream_and_openai_answers_carry_ids(keyed: tuple[httpx.Client, Path]) -> None:
    c, _ = keyed
    r = c.post("/api/ask/stream", headers=H, json={"question": ANSWERABLE})
    (_, final), = [(e, d) for e, d in _events(r.text) if e == "answer"]
    v1 = c.post("/v1/chat/completions", headers=H,
                json={"model": "rag-news", "messages": [{"role": "user", "content": ANSWERABLE}]}).json()
    chunks = _events(c.post("/v1/chat/completions", headers=H, json={
        "model": "rag-news", "stream": True,
        "messages": [{"role": "user", "content": UNANSWERABLE}]}).text)
    last = [d for _, d in chunks if d != "[DONE]"][-1]
    ids = {final["answer_id"]: "api-stream", v1["answer_id"]: "v1", last["answer_id"]: "v1-stream"}
    rows = c.get("/api/questions", headers=H).json()["questions"]
    assert {q["answer_id"]: q["channel"] for q in rows} == ids
    assert {q["answer_id"]: q["answered"] for q in rows}[last["answer_id"]] is False


def test_feedback_refuses_bad_input(keyed: tuple[httpx.Client, Path]) -> None:
    c, _ = keyed
    answer_id = _ask(c, ANSWERABLE)["answer_id"]

    def post(body: Any) -> httpx.Response:
        content = body if isinstance(body, str) else json.dumps(body)
        return c.post("/api/feedback", headers={**H, "Content-Type": "application/json"}, content=content)

    cases = [({"answer_id": "ans-unknown", "rating": "up"}, 404, "not_found"),
             ({"answer_id": answer_id, "rating": "meh"}, 422, "invalid_request"),
             ({"answer_id": answer_id}, 422, "invalid_request"),
             ({"answer_id": answer_id, "rating": "up", "extra": 1}, 422, "invalid_request"),
             ({"answer_id": answer_id, "rating": "up", "comment": 5}, 422, "invalid_request"),
             ({"answer_id": answer_id, "rating": "up", "comment": "x" * 2001}, 422, "invalid_request"),
             ({"answer_id": "a" * 65, "rating": "up"}, 422, "invalid_request"),
             ({"answer_id": "", "rating": "up"}, 422, "invalid_request"),
             ("{not json", 400, "malformed_json")]
    for body, status, code in cases:
        r = post(body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (body, r.text)
    for params in ({"limit": 0}, {"offset": -1}, {"offset": 2**63}, {"format": "xml"},
                   {"unanswered": "maybe"}):
        r = c.get("/api/questions", headers=H, params=params)
        assert r.status_code == 422, (params, r.text)
    assert c.delete("/api/questions", headers=H).status_code == 405
    assert c.put("/api/feedback", headers=H).json()["error"]["code"] == "method_not_allowed"


def test_staff_routes_need_the_key(keyed: tuple[httpx.Client, Path]) -> None:
    c, _ = keyed
    for method, path in [("GET", "/api/questions"), ("GET", "/api/questions.csv"),
                         ("GET", "/api/feedback"), ("POST", "/api/feedback")]:
        r = c.request(method, path, json={"answer_id": "x", "rating": "up"} if method == "POST" else None)
        assert r.status_code == 401 and r.json()["error"]["code"] == "missing_api_key", path
        r = c.request(method, path, headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key", path


def test_without_a_key_only_this_machine_sees_the_log(client: httpx.Client, tmp_path: Path) -> None:
    assert client.get("/api/questions").status_code == 200  # the shared server, on loopback
    app = create_app(make_settings(tmp_path, rate_limit_per_minute=0), FakePipeline(), ui=False)
    with TestClient(app) as remote:  # its client address is "testclient", not loopback
        for path in ("/api/questions", "/api/questions.csv", "/api/feedback"):
            r = remote.get(path)
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", path
        answer_id = remote.post("/api/ask", json={"question": ANSWERABLE}).json()["answer_id"]
        assert remote.post("/api/feedback", json={"answer_id": answer_id, "rating": "up"}).status_code == 200


def test_log_off_still_answers_with_ids(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rate_limit_per_minute=0)
    settings = settings.model_copy(update={"question_log": settings.question_log.model_copy(
        update={"enabled": False})})
    with TestClient(create_app(settings, FakePipeline(), ui=False), client=("127.0.0.1", 5000)) as c:
        answer_id = c.post("/api/ask", json={"question": ANSWERABLE}).json()["answer_id"]
        assert answer_id
        assert c.post("/api/feedback", json={"answer_id": answer_id, "rating": "up"}).status_code == 404
        page = c.get("/api/questions").json()
        assert page["enabled"] is False and page["questions"] == [] and page["groups"] == []
    assert not (settings.index_dir / "questions.sqlite3").exists()


def test_a_broken_log_never_fails_an_answer(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rate_limit_per_minute=0)
    (tmp_path / "blocker").write_text("a file where the log's folder should be")
    settings = settings.model_copy(update={"question_log": settings.question_log.model_copy(
        update={"path": tmp_path / "blocker" / "q.sqlite3"})})
    with TestClient(create_app(settings, FakePipeline(), ui=False), client=("127.0.0.1", 5000)) as c:
        r = c.post("/api/ask", json={"question": ANSWERABLE})
        assert r.status_code == 200 and r.json()["answer_id"]
        r = c.post("/api/feedback", json={"answer_id": r.json()["answer_id"], "rating": "up"})
        assert r.status_code == 503 and r.json()["error"]["code"] == "question_log_unavailable"
        r = c.get("/api/questions")
        assert r.status_code == 503 and r.json()["error"]["code"] == "question_log_unavailable"
