"""Floors on a second corpus: the held-out questions of eval/crud over the first 300 reports of
the shared CRUD-RAG news corpus (scraped portal text, no titles, near-duplicates, 15 unanswerable
questions), with the real model. They guard the reader's general behaviour against regressions
that the bundled page would not show; they sit below the measured figures (README) by a margin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rag.config import Settings
from rag.eval.results import EvalReport
from rag.eval.runner import Floor, check_floors, evaluate, make_setup

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "bench" / "crud-news.jsonl.xz"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CORPUS.is_file(), reason="the shared CRUD news corpus is absent")]

CRUD_FLOORS = (
    Floor(metric="answer_accuracy", kind="min", bound=0.65, description="answerable questions right"),
    Floor(metric="abstention_recall", kind="min", bound=0.70, description="unanswerable ones refused"),
    Floor(metric="false_refusal_rate", kind="max", bound=0.15, description="answerable ones refused"),
    Floor(metric="recall_at_5", kind="min", bound=0.93, description="gold report in the top 5"),
)


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> EvalReport:
    """rag eval over the first 300 reports (index built from scratch: ~700 chunks)."""
    from bench.sample import write_sample
    from rag.eval.memo import QueryMemo
    from rag.eval.questions import load_questions
    from rag.pipeline import Pipeline

    real_embedder: Any = request.getfixturevalue("real_embedder")
    corpus = tmp_path_factory.mktemp("crud")
    write_sample(CORPUS, 300, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp("crud-index"))
    memo = QueryMemo(real_embedder)
    pipeline = Pipeline.open(settings, embedder=memo)
    items = load_questions(ROOT / "eval" / "crud" / "questions.jsonl")
    return evaluate(pipeline, items, make_setup("hybrid", "extractive"),
                    questions="eval/crud/questions.jsonl", memo=memo)


@pytest.mark.parametrize("floor", CRUD_FLOORS, ids=[f.metric for f in CRUD_FLOORS])
def test_crud_floor(report: EvalReport, floor: Floor) -> None:
    (check,) = check_floors(report.overall, [floor])
    misses = [r.id for r in report.rows if not r.correct]
    assert check.ok, f"{floor.metric} = {check.value:.3f} ({floor.description}); missed: {misses}"
