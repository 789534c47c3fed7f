"""The eval runner against a hand-made pipeline: scoring, errors, setups, floors, reports, CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eval_helpers import FOLLOW, ITEMS, NUMBER, PERSON, SCRIPT, FakePipeline

from rag.config import Settings
from rag.errors import ConfigError
from rag.eval import runner
from rag.eval.compare import CompareReport, best_of, compare_rows, render_compare_markdown
from rag.eval.memo import QueryMemo
from rag.eval.questions import QuestionItem
from rag.eval.results import EvalMetrics, summarize
from rag.records import Turn


def _clock() -> Any:
    t = [0.0]

    def tick() -> float:
        t[0] += 0.05
        return t[0]

    return tick


@pytest.fixture
def fake(fake_settings: Settings) -> FakePipeline:
    return FakePipeline(fake_settings, dict(SCRIPT))


def test_run_questions_scores_each_question(fake: FakePipeline) -> None:
    rows = runner.run_questions(fake, ITEMS, answer_mode="extractive", clock=_clock())
    by_id = {r.id: r for r in rows}
    assert [r.id for r in rows] == ["q1", "q2", "q3", "q4"]
    assert by_id["q1"].correct and by_id["q1"].citation_ok and by_id["q1"].gold_rank == 1
    assert not by_id["q2"].correct and by_id["q2"].abstained and by_id["q2"].gold_rank == 2
    assert by_id["q3"].correct
    assert by_id["q4"].correct and by_id["q4"].unanswerable
    assert all(r.latency_ms == pytest.approx(50.0) for r in rows)
    m = summarize(rows)
    assert m.false_refusal_rate == pytest.approx(1 / 3)
    assert m.abstention_recall == 1.0 and m.abstention_precision == 0.5


def test_history_goes_in_as_turns_and_search_uses_the_standalone_question(
        fake: FakePipeline) -> None:
    runner.run_questions(fake, [FOLLOW], answer_mode="llm", retrieval_mode="dense")
    ask, search = fake.calls
    assert ask[2] == [Turn(role="user", content="天元区家长会"),
                      Turn(role="assistant", content="……")]
    assert ask[3] == "llm"
    assert search == ("search", "家长会开了几次", runner.RETRIEVAL_K, "dense")


def test_pipeline_errors_become_error_rows(fake: FakePipeline) -> None:
    item = QuestionItem(id="q9", question="不在剧本里？", type="unanswerable")
    rows = runner.run_questions(fake, [item], clock=_clock())
    assert rows[0].error == "llm_unavailable: endpoint down" and not rows[0].correct
    assert summarize(rows).errors == 1


def test_a_failed_search_still_scores_the_answer(fake: FakePipeline) -> None:
    item = QuestionItem(id="q8", question="boom", answers=("62",), evidence=("62次",), type="number")
    fake.script["boom"] = ("62次[1]", "a#p1")
    row = runner.run_questions(fake, [item])[0]
    assert row.correct and row.gold_rank is None and row.retrieved == ()


def test_progress_is_called_per_question(fake: FakePipeline) -> None:
    seen: list[tuple[int, int, str]] = []
    runner.run_questions(fake, ITEMS, progress=lambda i, n, r: seen.append((i, n, r.id)))
    assert seen == [(1, 4, "q1"), (2, 4, "q2"), (3, 4, "q3"), (4, 4, "q4")]


def test_default_setups_add_the_llm_only_when_an_endpoint_is_set(fake_settings: Settings) -> None:
    assert [s.name for s in runner.default_setups(fake_settings)] == ["keyword", "dense", "hybrid"]
    with_llm = fake_settings.model_copy(update={"answer": fake_settings.answer.model_copy(
        update={"llm_base_url": "http://localhost:11434/v1"})})
    names = [s.name for s in runner.default_setups(with_llm)]
    assert names == ["keyword", "dense", "hybrid", "hybrid+llm"]
    with pytest.raises(ConfigError):
        runner.check_setup(fake_settings, runner.make_setup("hybrid", "llm"))


def test_the_retrieval_mode_reaches_the_chain(fake: FakePipeline) -> None:
    assert runner.pipeline_for(fake, runner.make_setup("hybrid")) is fake
    sibling = runner.pipeline_for(fake, runner.make_setup("keyword"))
    assert sibling is not fake
    assert sibling.settings.retrieval.mode == "keyword"  # type: ignore[attr-defined]
    assert fake.settings.retrieval.mode == "hybrid"  # the original is untouched


def test_compare_runs_every_setup_over_the_same_questions(fake: FakePipeline) -> None:
    setups = runner.default_setups(fake.settings)
    comparison = runner.compare(fake, ITEMS, setups, questions="q.jsonl", created="now",
                                clock=_clock())
    assert comparison.setups == ("keyword", "dense", "hybrid")
    asks = [c for c in fake.calls if c[0] == "ask"]
    # one untimed warm-up question per setup, then the four timed ones
    assert [c[4] for c in asks] == ["keyword"] * 5 + ["dense"] * 5 + ["hybrid"] * 5
    assert [c[1] for c in asks[:5]] == [NUMBER.question] * 2 + [i.question for i in ITEMS[1:]]
    assert comparison.reports["keyword"].overall.recall_at_1 == pytest.approx(1 / 3)
    assert comparison.reports["hybrid"].overall.recall_at_1 == pytest.approx(2 / 3)
    assert comparison.reports["dense"].meta["retrieval_mode"] == "dense"
    text = render_compare_markdown(comparison)
    assert "| metric | keyword | dense | hybrid |" in text
    labels = [label for label, _ in compare_rows(comparison)]
    assert "recall@5" in labels and "false refusal rate" in labels
    assert "accuracy · followup" in labels
    row = dict(compare_rows(comparison))["recall@1"]
    assert row == ["33.3%", "66.7%", "66.7%"]


def test_best_of_counts_an_answerable_question_right_in_any_setup(fake: FakePipeline) -> None:
    one = runner.evaluate(fake, ITEMS, runner.make_setup("hybrid"), clock=_clock())
    right = {r.id: r.correct for r in one.rows}
    assert right == {"q1": True, "q2": False, "q3": True, "q4": True}
    # a second setup that gets q2 right and q1 wrong: together they cover q1, q2 and q3
    flipped = one.model_copy(update={"rows": tuple(
        r.model_copy(update={"correct": not r.correct}) if r.id in ("q1", "q2") else r
        for r in one.rows)})
    both = CompareReport(setups=("a", "b"), reports={"a": one, "b": flipped})
    assert best_of(both) == (1.0, 3)  # q4 (unanswerable) is not counted
    assert best_of(CompareReport(setups=("a",), reports={"a": one})) is None
    errored = flipped.model_copy(update={"rows": tuple(
        r.model_copy(update={"error": "boom"}) if r.id == "q2" else r for r in flipped.rows)})
    assert best_of(CompareReport(setups=("a", "b"), reports={"a": one, "b": errored})) == (
        pytest.approx(2 / 3), 3)


def test_floors_name_real_metrics_and_never_exceed_the_targets() -> None:
    for floor in (*runner.FLOORS, *runner.TARGETS):
        assert floor.metric in EvalMetrics.model_fields
    targets = {f.metric: (f.kind, f.bound) for f in runner.TARGETS}
    for f in runner.FLOORS:
        kind, bound = targets[f.metric]
        assert f.kind == kind and (f.bound <= bound if kind == "min" else f.bound >= bound)
    bounds = targets
    assert bounds == {"answer_accuracy": ("min", 0.90), "citation_ok_rate": ("min", 0.95),
                      "abstention_recall": ("min", 0.90), "false_refusal_rate": ("max", 0.05),
                      "recall_at_5": ("min", 0.98)}


def test_check_floors_reports_each_floor(fake: FakePipeline) -> None:
    rows = runner.run_questions(fake, ITEMS)
    checks = {c.floor.metric: c for c in runner.check_floors(summarize(rows))}
    assert not checks["answer_accuracy"].ok  # 2 of 3
    assert not checks["false_refusal_rate"].ok  # 1 of 3 refused
    assert checks["abstention_recall"].ok and checks["citation_ok_rate"].ok
    assert checks["recall_at_5"].ok and checks["recall_at_5"].value == 1.0
    perfect = dict(SCRIPT)
    perfect[PERSON.question] = ("局长龙超俊[1]", "a#p2")
    good = runner.run_questions(FakePipeline(fake.settings, perfect), ITEMS)
    assert all(c.ok for c in runner.check_floors(summarize(good)))


def test_write_reports(fake: FakePipeline, tmp_path: Path) -> None:
    report = runner.evaluate(fake, ITEMS, runner.make_setup("hybrid"), created="now")
    written = runner.write_reports(tmp_path / "out", report)
    assert sorted(p.name for p in written) == ["report.html", "report.json", "report.md"]
    assert json.loads((tmp_path / "out" / "report.json").read_text())["overall"]["n"] == 4
    assert "q2" in (tmp_path / "out" / "report.md").read_text()
    comparison = runner.compare(fake, ITEMS, runner.default_setups(fake.settings))
    names = [p.name for p in runner.write_reports(tmp_path / "cmp", report, comparison)]
    assert "compare.md" in names and "compare.json" in names


class CountingEmbedder:
    name, dim, fingerprint, batch_size = "count", 2, "fp", 4

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[str, ...], str]] = []

    def embed_batch(self, texts: Any, kind: str) -> Any:
        import numpy as np

        self.calls.append((tuple(texts), kind))
        return np.ones((len(texts), 2), dtype=np.float32)


def test_query_memo_serves_remembered_queries_only_inside_replay() -> None:
    inner = CountingEmbedder()
    memo = QueryMemo(inner)
    assert (memo.name, memo.dim, memo.fingerprint, memo.batch_size) == ("count", 2, "fp", 4)
    memo.embed_batch(["问"], "query")
    memo.embed_batch(["问"], "query")  # the timed path always runs the model
    memo.embed_batch(["句"], "document")
    with memo.replay():
        memo.embed_batch(["问"], "query")
        memo.embed_batch(["句"], "document")  # documents are never remembered
        memo.embed_batch(["别的"], "query")
    assert len(inner.calls) == 5 and memo.served == 1
    memo.forget()
    with memo.replay():
        memo.embed_batch(["问"], "query")
    assert len(inner.calls) == 6
