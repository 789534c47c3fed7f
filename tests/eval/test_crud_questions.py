"""The question sets of eval/crud/ and eval/crud600/ are checked against the reports they are
about (rag/eval/checks.py, `rag check-questions`), and the checks catch a bad line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.cli import main
from rag.eval.checks import check_set, load_reports, rules_for
from rag.eval.questions import load_questions

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "bench" / "crud-news.jsonl.xz"
SETS = ("crud", "crud600")


@pytest.mark.parametrize("name", SETS)
def test_the_crud_questions_load_as_an_eval_set(name: str) -> None:
    items = load_questions(ROOT / "eval" / name / "questions.jsonl")
    assert len(items) >= 70
    assert sum(i.unanswerable for i in items) >= 10
    assert len({i.id for i in items}) == len(items)


@pytest.mark.parametrize("name", SETS)
@pytest.mark.skipif(not CORPUS.is_file(), reason="the shared CRUD news corpus is not on this machine")
def test_every_evidence_string_and_answer_is_in_the_reports(name: str) -> None:
    path = ROOT / "eval" / name / "questions.jsonl"
    rules = rules_for(path)
    assert rules is not None
    result = check_set(path, load_reports(CORPUS, rules.reports), rules)
    assert not result.problems, "\n".join(result.problems)
    assert result.summary().startswith("OK: ")


def test_the_command_checks_the_sets(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(ROOT / "eval" / name / "questions.jsonl") for name in SETS]
    assert main(["check-questions", *paths]) == 0
    assert capsys.readouterr().out.count("OK: ") == 2


def _bad_set(tmp_path: Path, line: dict[str, object]) -> Path:
    good = {"id": "c001", "question": "全区各校召开了多少次家长会？", "answers": ["62次"],
            "evidence": ["召开线上或线下家长会62次"], "type": "number"}
    folder = tmp_path / "crud"  # named as our set, so its rules (ids c001…) apply
    folder.mkdir()
    path = folder / "questions.jsonl"
    path.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in (good, line)) + "\n",
                    encoding="utf-8")
    return path


REPORTS = ["2021至2022学年以来，全区各校召开线上或线下家长会62次。"] * 300


@pytest.mark.parametrize(("line", "problem"), [
    ({"id": "c002", "question": "局长是谁？", "answers": ["龙超俊"], "evidence": ["局长龙超俊说家校共育"],
      "type": "person"}, "evidence not verbatim"),
    ({"id": "c002", "question": "多少次？", "answers": ["63次"], "evidence": ["召开线上或线下家长会62次"],
      "type": "number"}, "answer '63次' not in the report"),
    ({"id": "c003", "question": "多少次？", "answers": [], "evidence": [], "type": "unanswerable"},
     "id out of order"),
    ({"id": "c002", "question": "没有?", "answers": ["x"], "evidence": [], "type": "unanswerable"},
     "unanswerable must have empty answers"),
    ({"id": "c002", "question": "多少次？", "answers": ["62次"], "type": "number"}, "missing fields"),
    ({"id": "c002", "question": "多少次？", "answers": ["62次"], "evidence": ["家长会62次"],
      "type": "number"}, "evidence length 6"),
])
def test_the_checks_catch_a_bad_line(tmp_path: Path, line: dict[str, object], problem: str) -> None:
    path = _bad_set(tmp_path, line)
    result = check_set(path, REPORTS, rules_for(path))
    assert len(result.problems) == 1 and result.problems[0].startswith("line 2 ")
    assert problem in result.problems[0]
    assert result.summary().startswith("FAIL: 1 problem")


def test_the_command_fails_on_a_bad_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _bad_set(tmp_path, {"id": "c002", "question": "", "answers": [], "evidence": [],
                               "type": "unanswerable"})
    assert main(["check-questions", str(path)]) == 1
    assert "line 2 (c002): empty question" in capsys.readouterr().out
