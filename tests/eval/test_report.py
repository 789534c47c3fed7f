"""Tests of per-question scoring, aggregation and the Markdown/HTML renderers."""

from __future__ import annotations

import re

import pytest

from rag.eval.questions import QuestionItem
from rag.eval.report import (
    latency_histogram,
    rank_distribution,
    render_html,
    render_markdown,
)
from rag.eval.results import (
    EvalReport,
    build_report,
    error_result,
    score_question,
    summarize,
)
from rag.records import Answer, Citation, Hit, Paragraph

GOLD_TEXT = "议。2021至2022学年以来，全区各校召开线上或线下家长会62次，组织开展丰富多彩的活动。"
OTHER_TEXT = "天元区教育局局长龙超俊说，家校合作是一种“跨界交流”。"


def _para(pid: str, text: str) -> Paragraph:
    return Paragraph(
        paragraph_id=pid, article_id="a", article_title="家校同携手", n=0, text=text, norm=text
    )


def _hit(pid: str, text: str, score: float) -> Hit:
    return Hit(paragraph=_para(pid, text), chunk_id=f"{pid}#c0", chunk_text=text, score=score)


def _cite(n: int, pid: str, text: str) -> Citation:
    return Citation(
        n=n,
        article_id="a",
        article_title="家校同携手",
        paragraph_id=pid,
        text=text,
        quote=text,
        score=1.0,
    )


ITEM = QuestionItem(
    id="q001",
    question="天元区的学校开了多少次家长会？",
    answers=("62次", "62"),
    evidence=("全区各校召开线上或线下家长会62次",),
    type="number",
)
UNANS = QuestionItem(id="q100", question="能源站总投资多少钱？", type="unanswerable")
HITS = [_hit("a#p2", OTHER_TEXT, 0.9), _hit("a#p7", GOLD_TEXT, 0.8)]


def test_score_question_correct_answer_with_mixed_citations() -> None:
    answer = Answer(
        question=ITEM.question,
        answer="全区各校召开线上或线下家长会６２次。[1]",
        abstained=False,
        citations=(_cite(1, "a#p7", GOLD_TEXT), _cite(2, "a#p2", OTHER_TEXT)),
    )
    row = score_question(ITEM, answer, HITS, 120.0)
    assert row.correct and not row.abstained and not row.unanswerable
    assert row.gold_rank == 2
    assert row.citation_ok is True
    assert row.citation_precision == pytest.approx(0.5)
    assert [r.holds_evidence for r in row.retrieved] == [False, True]
    assert row.cited_paragraph_ids == ("a#p7", "a#p2")


def test_score_question_abstentions() -> None:
    abstain = Answer(question="x", answer="抱歉，没有找到。", abstained=True)
    wrong = score_question(ITEM, abstain, HITS, 10.0)
    assert not wrong.correct and wrong.citation_ok is None and wrong.citation_precision is None
    right = score_question(UNANS, abstain, HITS, 10.0)
    assert right.correct and right.gold_rank is None
    answered = Answer(question="x", answer="62次", abstained=False)
    assert not score_question(UNANS, answered, HITS, 10.0).correct


def _rows():
    ok = Answer(
        question="x", answer="家长会62次", abstained=False, citations=(_cite(1, "a#p7", GOLD_TEXT),)
    )
    abstain = Answer(question="x", answer="没有找到", abstained=True)
    return [
        score_question(ITEM, ok, HITS, 100.0),  # correct, rank 2
        score_question(
            ITEM.model_copy(update={"id": "q002"}), abstain, HITS[:1], 300.0
        ),  # false refusal
        score_question(UNANS, abstain, HITS, 200.0),  # correct abstention
        error_result(UNANS.model_copy(update={"id": "q101"}), "boom", 400.0),
    ]


def test_summarize_hand_computed() -> None:
    m = summarize(_rows())
    assert (m.n, m.n_answerable, m.n_unanswerable, m.errors) == (4, 2, 2, 1)
    assert m.accuracy == pytest.approx(2 / 4)
    assert m.answer_accuracy == pytest.approx(1 / 2)
    assert m.recall_at_1 == 0.0 and m.recall_at_5 == pytest.approx(1 / 2)
    assert m.mrr == pytest.approx((1 / 2 + 0) / 2)
    assert m.citation_ok_rate == 1.0 and m.citation_precision == 1.0
    assert m.abstention_precision == pytest.approx(1 / 2)
    assert m.abstention_recall == pytest.approx(1 / 2)
    assert m.false_refusal_rate == pytest.approx(1 / 2)
    assert m.latency_p50_ms == pytest.approx(250.0)
    assert m.latency_mean_ms == pytest.approx(250.0)


def test_summarize_empty_has_no_nan() -> None:
    m = summarize([])
    assert m.n == 0 and m.accuracy == 0.0 and m.latency_p95_ms == 0.0


def test_build_report_groups_by_type_and_round_trips() -> None:
    report = build_report(_rows(), meta={"top_k": 5, "model": "fake"}, created="2024-01-01T00:00")
    assert set(report.by_type) == {"number", "unanswerable"}
    assert report.by_type["number"].n == 2
    assert EvalReport.model_validate_json(report.model_dump_json()) == report


def test_rank_distribution_and_histogram() -> None:
    dist = rank_distribution(_rows())
    assert dist["2"] == 1 and dist[">10/none"] == 1 and sum(dist.values()) == 2
    hist = latency_histogram([0.0, 5.0, 10.0], bins=2)
    assert [c for _, c in hist] == [1.0, 2.0]
    assert latency_histogram([]) == []
    assert [c for _, c in latency_histogram([3.0, 3.0], bins=3)] == [2.0, 0.0, 0.0]


def test_render_markdown() -> None:
    md = render_markdown(build_report(_rows(), meta={"top_k": 5}))
    assert "| overall |" in md and "| number |" in md
    assert "Failing questions (2 of 4)" in md
    assert "q002" in md and "abstained (gold not retrieved)" in md
    assert "error: boom" in md
    assert "**a#p7**" not in md.split("q002")[1].split("\n")[2]  # q002 only retrieved a#p2


def test_render_html_is_self_contained_and_escaped() -> None:
    rows = _rows()
    rows[0] = rows[0].model_copy(update={"question": "<script>alert(1)</script>", "correct": False})
    html = render_html(build_report(rows))
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 3
    assert "<script" not in html and "&lt;script&gt;" in html
    assert not re.search(r"(src|href)=\"https?://", html)
