"""The agreed quality floors on the bundled corpus, with the real model (CI runs this; slow).

The whole question set runs once per session (hybrid retrieval, extractive answers, a fresh index
in a tmp dir); each floor of rag.eval.runner.FLOORS is then its own test, so a failure names
the metric, its value and the questions that missed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rag.config import Settings
from rag.eval.results import EvalReport
from rag.eval.runner import FLOORS, Floor, check_floors, evaluate, make_setup

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> EvalReport:
    """The full eval on the bundled corpus (index built from scratch in a tmp dir)."""
    pytest.importorskip("rag.answer.chain", reason="the answer chain has not landed yet")
    from rag.eval.memo import QueryMemo
    from rag.eval.questions import load_questions
    from rag.pipeline import Pipeline

    real_embedder: Any = request.getfixturevalue("real_embedder")  # after the skip: ~20 s

    settings = Settings(corpus_dir=ROOT / "corpus", index_dir=tmp_path_factory.mktemp("index"))
    memo = QueryMemo(real_embedder)
    pipeline = Pipeline.open(settings, embedder=memo)
    items = load_questions(ROOT / "eval" / "questions.jsonl")
    return evaluate(pipeline, items, make_setup("hybrid", "extractive"),
                    questions="eval/questions.jsonl", memo=memo)


def _misses(report: EvalReport, floor: Floor) -> list[str]:
    rows = report.rows
    if floor.metric == "answer_accuracy":
        return [r.id for r in rows if not r.unanswerable and not r.correct]
    if floor.metric == "citation_ok_rate":
        return [r.id for r in rows if r.citation_ok is False]
    if floor.metric == "abstention_recall":
        return [r.id for r in rows if r.unanswerable and not r.abstained]
    if floor.metric == "false_refusal_rate":
        return [r.id for r in rows if not r.unanswerable and r.abstained]
    if floor.metric.startswith("recall_at_"):
        k = int(floor.metric.rsplit("_", 1)[1])
        return [r.id for r in rows if not r.unanswerable and (r.gold_rank or k + 1) > k]
    return []


@pytest.mark.parametrize("floor", FLOORS, ids=[f.metric for f in FLOORS])
def test_floor(report: EvalReport, floor: Floor) -> None:
    (check,) = check_floors(report.overall, [floor])
    sign = ">=" if floor.kind == "min" else "<="
    assert check.ok, (
        f"{floor.metric} = {check.value:.3f}, floor {sign} {floor.bound} ({floor.description}); "
        f"questions: {', '.join(_misses(report, floor))}"
    )


def test_no_question_errors(report: EvalReport) -> None:
    assert report.overall.errors == 0, [(r.id, r.error) for r in report.rows if r.error]
