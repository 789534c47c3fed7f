"""Grouping near-duplicate questions: pure functions."""

from __future__ import annotations

from rag.feedback import QuestionEntry, group_questions, normalise_question
from rag.feedback.group import bigrams, jaccard


def _row(question: str, at: int, rating: str | None = None, comment: str | None = None) -> QuestionEntry:
    return QuestionEntry(answer_id=f"ans-{at}", asked_at=f"2026-01-01T00:00:{at:02d}Z", question=question,
                         channel="api", mode="extractive", answered=False, latency_ms=1.0,
                         rating=rating, comment=comment)  # type: ignore[arg-type]


def test_normalise_folds_width_case_punctuation_and_spaces() -> None:
    assert normalise_question("ＣＣＴＶ４ 是什么？！") == normalise_question("cctv4是什么?")
    assert normalise_question("“一把手”有多少名。") == "一把手有多少名"


def test_jaccard_of_bigrams() -> None:
    assert jaccard(bigrams("天气"), bigrams("天气")) == 1.0
    assert jaccard(bigrams(""), bigrams("")) == 0.0
    assert 0 < jaccard(bigrams("火星的天气"), bigrams("火星天气")) < 1


def test_same_normalised_text_groups_at_any_threshold() -> None:
    groups = group_questions([_row("局长是谁？", 1), _row("局长是谁?", 2)], threshold=1.0)
    assert len(groups) == 1 and groups[0].count == 2


def test_similar_wordings_group_and_different_questions_do_not() -> None:
    rows = [_row("隆回交警发了多少份宣传材料？", 1), _row("隆回交警发了多少份宣传资料", 2),
            _row("隆回交警发了多少份宣传材料", 3), _row("祁阳警示教育了多少人", 4)]
    groups = group_questions(rows, threshold=0.6)
    assert [g.count for g in groups] == [3, 1]
    top = groups[0]
    assert top.example in {"隆回交警发了多少份宣传材料？", "隆回交警发了多少份宣传材料"}
    assert top.first_seen.endswith("01Z") and top.last_seen.endswith("03Z")
    assert set(top.wordings) == {r.question for r in rows[:3]}
    assert top.answer_ids[0] == "ans-3"  # newest first


def test_votes_and_comments_are_summed_per_group() -> None:
    rows = [_row("局长是谁", 1, "down", "龙超俊"), _row("局长是谁？", 2, "down"), _row("局长是谁", 3, "up")]
    (group,) = group_questions(rows)
    assert (group.down_votes, group.up_votes, group.comments) == (2, 1, ("龙超俊",))


def test_ties_put_the_latest_first() -> None:
    groups = group_questions([_row("甲问题是什么", 1), _row("完全不同的乙", 2)])
    assert [g.example for g in groups] == ["完全不同的乙", "甲问题是什么"]


def test_thresholds_at_the_edges() -> None:
    rows = [_row("甲问题是什么", 1), _row("完全不同的乙", 2), _row("？？", 3)]
    assert len(group_questions(rows, threshold=0.0)) == 1  # everything is similar enough
    assert len(group_questions(rows, threshold=1.0)) == 3
    assert group_questions([], threshold=0.6) == []
