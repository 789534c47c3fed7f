"""`rag questions`: groups, list, feedback, JSON, CSV and the eval export, read from the log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.cli import main
from rag.config import QuestionLogSettings
from rag.eval.questions import load_questions
from rag.feedback import QuestionLog
from rag.records import Answer


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    qlog = QuestionLog(QuestionLogSettings(), tmp_path / "index")
    for question, abstained in [("火星天气怎么样？", True), ("火星天气怎么样", True), ("局长是谁", False)]:
        answer_id = qlog.remember(Answer(question=question, answer="…", abstained=abstained), "api", 3.0)
    qlog.rate(answer_id, "down", "龙超俊")
    qlog.close()
    return tmp_path / "index"


def _run(capsys: pytest.CaptureFixture[str], index_dir: Path, *args: str) -> str:
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "questions", *args]) == 0
    return capsys.readouterr().out


def test_groups_list_and_feedback(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    groups = _run(capsys, index_dir, "--unanswered")
    assert "火星天气怎么样" in groups and "局长" not in groups and "(+1 wordings)" in groups
    listed = _run(capsys, index_dir, "--list", "--limit", "2")
    assert listed.count("火星") == 1 and "局长是谁" in listed  # newest two
    feedback = _run(capsys, index_dir, "--feedback")
    assert "局长是谁" in feedback and "龙超俊" in feedback
    rows = json.loads(_run(capsys, index_dir, "--list", "--down-voted", "--json"))
    assert [(r["question"], r["rating"], r["comment"]) for r in rows] == [("局长是谁", "down", "龙超俊")]


def test_csv_and_eval_export(index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "groups.csv"
    _run(capsys, index_dir, "--csv", str(out))
    lines = out.read_text("utf-8-sig").splitlines()
    assert lines[0].startswith("count,example") and lines[1].startswith("2,火星天气怎么样")
    evalset = tmp_path / "eval.jsonl"
    assert "wrote 2 questions" in _run(capsys, index_dir, "--export-eval", str(evalset))
    items = load_questions(evalset)
    by_type = {q.type: q for q in items}
    assert by_type["unanswerable"].question.startswith("火星天气怎么样") and not by_type["unanswerable"].answers
    assert (by_type["feedback"].question, by_type["feedback"].answers) == ("局长是谁", ("龙超俊",))

def test_no_log_yet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no question log" in _run(capsys, tmp_path / "empty")
