"""CSV tables and the eval set written from the log; the eval set loads with the repo's loader."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rag.eval.questions import load_questions
from rag.feedback import QuestionEntry, group_questions
from rag.feedback.export import eval_items, eval_jsonl, groups_csv, questions_csv


def _row(question: str, at: int, answered: bool = False, rating: str | None = None,
         comment: str | None = None) -> QuestionEntry:
    return QuestionEntry(answer_id=f"ans-{at}", asked_at=f"2026-01-01T00:00:{at:02d}Z", question=question,
                         channel="api", mode="extractive", answered=answered, latency_ms=1.0,
                         cited=("a#p1",) if answered else (), rating=rating, comment=comment)  # type: ignore[arg-type]


def test_questions_csv_round_trips_chinese_and_commas() -> None:
    text = questions_csv([_row("局长是谁，叫什么？", 1, True, "down", '不对, "应为"龙超俊')])
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["question"] == "局长是谁，叫什么？" and row["comment"] == '不对, "应为"龙超俊'
    assert row["cited"] == "a#p1" and row["rating"] == "down" and row["answered"] == "1"


def test_groups_csv_has_counts() -> None:
    text = groups_csv(group_questions([_row("局长是谁", 1), _row("局长是谁？", 2)]))
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["count"] == "2" and row["example"].startswith("局长是谁")


def test_eval_set_takes_comments_as_answers_and_loads(tmp_path: Path) -> None:
    rows = [  # newest first, as the log returns them
        _row("天元区开了多少次家长会？", 4, True, "down", "62次"),
        _row("天元区开了多少次家长会", 3, True, "down"),
        _row("火星天气怎么样", 2),
        _row("局长是谁", 1, True, "down"),
    ]
    items = eval_items(rows)
    assert len(items) == 3  # the two wordings of one question become one line
    by_q = {i["question"]: i for i in items}
    assert by_q["天元区开了多少次家长会？"]["answers"] == ["62次"]
    assert by_q["火星天气怎么样"]["type"] == "unanswerable"
    assert by_q["局长是谁"]["origin"] == "down-voted"
    path = tmp_path / "questions.jsonl"
    path.write_text(eval_jsonl(rows), encoding="utf-8")
    loaded = {q.question: q for q in load_questions(path)}
    assert loaded["天元区开了多少次家长会？"].answers == ("62次",)
    assert loaded["火星天气怎么样"].unanswerable
    assert loaded["局长是谁"].extras["answer_id"] == "ans-1"
