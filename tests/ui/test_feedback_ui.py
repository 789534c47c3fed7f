"""The UI's feedback and staff handlers without a browser: ratings reach the log, and staff data
leaves the server only for the key (or, with no key configured, for this machine)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from rag.config import QuestionLogSettings, ServerSettings
from rag.feedback import QuestionLog
from rag.records import Answer
from rag.ui.feedback import make_comment, make_like
from rag.ui.render import turn_record
from rag.ui.staff import authorised, make_staff_loader


@pytest.fixture
def qlog(tmp_path: Path) -> QuestionLog:
    return QuestionLog(QuestionLogSettings(), tmp_path)


def _turn(qlog: QuestionLog, question: str = "火星天气怎么样", chat_index: int = 1) -> dict[str, Any]:
    answer = Answer(question=question, answer="抱歉", abstained=True)
    return turn_record(question, answer, qlog.remember(answer, "ui", 5.0), chat_index)


def _request(host: str) -> Any:
    return SimpleNamespace(client=SimpleNamespace(host=host))


def test_like_and_dislike_rate_the_clicked_answer(qlog: QuestionLog) -> None:
    turns = [_turn(qlog, "第一个问题", 1), _turn(qlog, "第二个问题", 3)]
    like = make_like(qlog)
    note, row, pending = like(turns, SimpleNamespace(index=3, liked=False))
    assert pending == {"answer_id": turns[1]["answer_id"], "rating": "down"}
    assert row["visible"] is True and "感谢反馈" in note["value"]
    _, row, _ = like(turns, SimpleNamespace(index=1, liked=True))
    assert row["visible"] is False
    ratings = {f.question: f.rating for f in qlog.feedback()}
    assert ratings == {"第一个问题": "up", "第二个问题": "down"}
    note, comment_row, box = make_comment(qlog)("应该说明没有", pending)
    assert "已收到" in note["value"] and box == ""
    assert qlog.feedback(rating="down")[0].comment == "应该说明没有"


def test_clicks_on_messages_without_an_answer_are_ignored(qlog: QuestionLog) -> None:
    turns = [_turn(qlog, chat_index=1)]
    _, row, pending = make_like(qlog)(turns, SimpleNamespace(index=5, liked=False))  # an error message
    assert pending == {} and row["visible"] is False
    assert make_like(qlog)(turns, SimpleNamespace(index=1, liked=""))[2] == {}  # an undo
    assert qlog.feedback() == []


def test_authorised_needs_the_key_or_loopback_without_one() -> None:
    keyed = ServerSettings(api_key="s3cret")
    assert authorised("s3cret", "203.0.113.9", keyed)
    assert not authorised("wrong", "127.0.0.1", keyed) and not authorised("", "127.0.0.1", keyed)
    open_ = ServerSettings()
    assert authorised("", "127.0.0.1", open_) and authorised("anything", "::1", open_)
    assert not authorised("s3cret", "203.0.113.9", open_) and not authorised("", None, open_)


def test_staff_loader_returns_data_only_when_authorised(qlog: QuestionLog) -> None:
    _turn(qlog, "火星天气怎么样")
    load = make_staff_loader(qlog, ServerSettings(api_key="s3cret"))
    status, groups, feedback, groups_csv, _ = load("wrong", _request("127.0.0.1"))
    assert groups["value"] == [] and feedback["value"] == [] and groups_csv["visible"] is False
    assert "火星" not in str((status, groups, feedback))
    status, groups, feedback, groups_csv, feedback_csv = load("s3cret", _request("198.51.100.7"))
    assert groups["value"][0][:2] == [1, "火星天气怎么样"]
    assert groups_csv["visible"] and Path(groups_csv["value"]).read_text("utf-8-sig").startswith("count,")
    assert Path(feedback_csv["value"]).exists()


def test_staff_loader_says_when_the_log_is_off(tmp_path: Path) -> None:
    off = QuestionLog(QuestionLogSettings(enabled=False), tmp_path)
    status, *_ = make_staff_loader(off, ServerSettings())("", _request("127.0.0.1"))
    assert "未开启" in status["value"]
