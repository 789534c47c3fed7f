"""The held-out question set of eval/crud/ is checked against the reports it is about."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rag.eval.questions import load_questions

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "bench" / "crud-news.jsonl.xz"
QUESTIONS = ROOT / "eval" / "crud" / "questions.jsonl"


def test_the_crud_questions_load_as_an_eval_set() -> None:
    items = load_questions(QUESTIONS)
    assert len(items) >= 70
    assert sum(i.unanswerable for i in items) >= 10
    assert len({i.id for i in items}) == len(items)


@pytest.mark.skipif(not CORPUS.is_file(), reason="the shared CRUD news corpus is not on this machine")
def test_every_evidence_string_and_answer_is_in_the_first_300_reports() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "eval" / "crud" / "check.py"), str(CORPUS),
                           str(QUESTIONS)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("OK: ")
