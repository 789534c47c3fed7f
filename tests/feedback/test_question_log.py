"""The SQLite question log: recording, feedback, retention, and faults that must not fail answers."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from rag.config import QuestionLogSettings
from rag.errors import NotFoundError, QuestionLogError
from rag.feedback import LoggedAnswer, QuestionLog, new_answer_id
from rag.feedback.store import FILE_NAME
from rag.records import Answer, Citation

DAY = 86_400.0


class Clock:
    """A settable clock, so retention is tested without waiting."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _answer(question: str, abstained: bool = False) -> Answer:
    cite = Citation(n=1, article_id="a", article_title="T", paragraph_id="a#p1", text="t",
                    quote="t", score=1.0)
    return Answer(question=question, answer="…" if not abstained else "抱歉", abstained=abstained,
                  citations=() if abstained else (cite,), mode="extractive")


def _record(qlog: QuestionLog, question: str, abstained: bool = False, channel: str = "api") -> str:
    answer_id = new_answer_id()
    assert qlog.record(LoggedAnswer.of(answer_id, _answer(question, abstained), channel, 12.34))  # type: ignore[arg-type]
    return answer_id


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def qlog(tmp_path: Path, clock: Clock) -> QuestionLog:
    return QuestionLog(QuestionLogSettings(retention_days=30), tmp_path / "index", clock=clock)


def test_records_what_was_asked_and_nothing_personal(qlog: QuestionLog) -> None:
    answered = _record(qlog, "天元区教育局的局长叫什么名字？")
    refused = _record(qlog, "火星上今天的天气怎么样？", abstained=True, channel="ui")
    rows = qlog.questions()
    assert [r.answer_id for r in rows] == [refused, answered]  # newest first
    assert rows[1].answered and rows[1].cited == ("a#p1",) and rows[1].latency_ms == 12.3
    assert not rows[0].answered and rows[0].channel == "ui" and rows[0].asked_at.endswith("Z")
    assert [r.answer_id for r in qlog.questions(unanswered=True)] == [refused]
    assert qlog.count() == 2 and qlog.count(unanswered=True) == 1
    db = sqlite3.connect(qlog.path)
    columns = {row[1] for row in db.execute("PRAGMA table_info(questions)")}
    assert not columns & {"ip", "client", "host", "user_agent", "user"}
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert qlog.path == qlog.path.parent / FILE_NAME and qlog.path.parent.name == "index"


def test_limit_and_offset(qlog: QuestionLog, clock: Clock) -> None:
    ids = []
    for n in range(5):
        clock.now += 1
        ids.append(_record(qlog, f"问题{n}"))
    assert [r.answer_id for r in qlog.questions(limit=2, offset=1)] == ids[::-1][1:3]
    assert qlog.questions(offset=2**70) == [] and qlog.feedback(limit=2**70) == []  # no overflow


def test_feedback_replaces_rating_and_keeps_comment(qlog: QuestionLog, clock: Clock) -> None:
    answer_id = _record(qlog, "天元区开了多少次家长会？")
    first = qlog.rate(answer_id, "down", "应该是62次")
    assert first.rating == "down" and first.comment == "应该是62次" and first.question
    clock.now += 5
    again = qlog.rate(answer_id, "up")
    assert again.rating == "up" and again.comment == "应该是62次"
    assert len(qlog.feedback()) == 1 and qlog.questions()[0].rating == "up"
    assert qlog.feedback(rating="down") == []
    assert qlog.count(down_voted=True) == 0


def test_feedback_on_unknown_answer_is_not_found(qlog: QuestionLog) -> None:
    with pytest.raises(NotFoundError):
        qlog.rate("ans-nope", "down")


def test_retention_prunes_old_questions_and_their_feedback(qlog: QuestionLog, clock: Clock) -> None:
    old = _record(qlog, "很久以前的问题")
    qlog.rate(old, "down", "旧意见")
    clock.now += 31 * DAY
    new = _record(qlog, "新问题")  # more than an hour later: recording prunes
    assert [r.answer_id for r in qlog.questions()] == [new]
    assert qlog.feedback() == []
    assert qlog.prune() == 0


def test_retention_zero_keeps_everything(tmp_path: Path, clock: Clock) -> None:
    qlog = QuestionLog(QuestionLogSettings(retention_days=0), tmp_path, clock=clock)
    _record(qlog, "问题")
    clock.now += 10_000 * DAY
    assert qlog.prune() == 0 and qlog.count() == 1


def test_off_records_nothing_and_refuses_feedback(tmp_path: Path) -> None:
    qlog = QuestionLog(QuestionLogSettings(enabled=False), tmp_path)
    answer_id = new_answer_id()
    assert not qlog.record(LoggedAnswer.of(answer_id, _answer("问题"), "api", 1.0))
    assert not qlog.path.exists()
    assert qlog.questions() == [] and qlog.groups() == [] and qlog.feedback() == []
    with pytest.raises(NotFoundError):
        qlog.rate(answer_id, "up")


def test_a_failing_write_is_logged_not_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    qlog = QuestionLog(QuestionLogSettings(), blocker / "index")  # its folder cannot be made
    assert not qlog.record(LoggedAnswer.of(new_answer_id(), _answer("问题"), "api", 1.0))
    assert "could not record" in caplog.text
    with pytest.raises(QuestionLogError):
        qlog.questions()


def test_a_damaged_file_fails_reads_loudly_and_writes_quietly(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"this is not a database" * 100)
    qlog = QuestionLog(QuestionLogSettings(), tmp_path)
    assert not qlog.record(LoggedAnswer.of(new_answer_id(), _answer("问题"), "api", 1.0))
    with pytest.raises(QuestionLogError):
        qlog.groups()


def test_threads_write_concurrently(qlog: QuestionLog) -> None:
    def ask(n: int) -> None:
        for k in range(20):
            _record(qlog, f"问题{n}-{k}")

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert qlog.count() == 80


def test_a_second_reader_sees_the_writes(qlog: QuestionLog, tmp_path: Path) -> None:
    _record(qlog, "问题", abstained=True)
    reader = QuestionLog(QuestionLogSettings(), tmp_path / "index")  # the CLI, beside a server
    assert reader.count(unanswered=True) == 1


def test_groups_of_unanswered_questions(qlog: QuestionLog, clock: Clock) -> None:
    for text in ["火星上今天的天气怎么样？", "火星上今天的天气怎么样?", "火星上今天天气怎么样",
                 "谁是美国总统？"]:
        clock.now += 60
        _record(qlog, text, abstained=True)
    _record(qlog, "火星上今天的天气怎么样？")  # answered: not in the unanswered groups
    groups = qlog.groups(unanswered=True)
    assert [g.count for g in groups] == [3, 1]
    assert groups[0].example == "火星上今天的天气怎么样？" and groups[0].first_seen < groups[0].last_seen
    assert groups[1].example == "谁是美国总统？"
    assert qlog.groups(unanswered=True, limit=1) == groups[:1]
