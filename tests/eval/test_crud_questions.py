"""The held-out question sets of eval/crud/ and eval/crud600/ are checked against the reports
they are about."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
    folder = ROOT / "eval" / name
    done = subprocess.run([sys.executable, str(folder / "check.py"), str(CORPUS),
                           str(folder / "questions.jsonl")], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("OK: ")
