"""Unit tests of the eval metrics, with hand-computed expectations."""

from __future__ import annotations

import json

import pytest

from rag.errors import EvalError
from rag.eval.metrics import (
    abstention_scores,
    answer_correct,
    citation_holds,
    citation_precision,
    false_refusal_rate,
    load_questions,
    mrr,
    normalize_answer,
    percentile,
    recall_at_k,
    retrieval_ranks,
)
from rag.eval.normalize import contains_normalized, strip_punctuation


@pytest.mark.parametrize(
    "form", ["20000", "2万", "两万", "2.0万", "二万", "２万", "20,000", "２００００"]
)
def test_number_forms_share_one_canonical_form(form: str) -> None:
    assert normalize_answer(form) == "20000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("29.9万", "299000"),
        ("3.68万", "36800"),
        ("50.8万件", "508000件"),
        ("1.5亿", "150000000"),
        ("11000余人次", "11000余人次"),
        ("十年", "10年"),
        ("十四", "14"),
        ("一百零五", "105"),
        ("三千五百万", "35000000"),
        ("一亿两千万", "120000000"),
        ("二〇二二年", "2022年"),
        ("一次", "1次"),
        ("2.50", "2.5"),
        ("90％", "90%"),
        ("Ｈｅｌｌｏ World", "helloworld"),
        ("“红、黄、绿”", "红黄绿"),
    ],
)
def test_normalize_answer_cases(raw: str, expected: str) -> None:
    assert normalize_answer(raw) == expected


@pytest.mark.parametrize(
    "word", ["一把手", "一盔一带", "三不腐", "万名党员进万家", "千家万户", "一链一才"]
)
def test_chinese_numerals_inside_words_are_left_alone(word: str) -> None:
    assert normalize_answer(word) == word


def test_list_of_numbers_is_not_glued_together() -> None:
    assert normalize_answer("62，835名") == "62,835名"
    assert normalize_answer("62、835") == "62,835"


def test_strip_punctuation_keeps_number_forms() -> None:
    assert strip_punctuation("两万 人，“好”") == "两万人好"


def test_contains_normalized_matches_whole_numbers_only() -> None:
    assert contains_normalized("近40名家长", "40")
    assert not contains_normalized("140名", "40")
    assert not contains_normalized("409名", "40")
    assert not contains_normalized("29.9", "29")
    assert contains_normalized("299000人", "299000")
    assert not contains_normalized("abc", "")


def test_answer_correct_any_and_all() -> None:
    assert answer_correct("全区各校召开家长会62次。[1]", ["62次", "62"])
    assert answer_correct("服务居民两万人次", ["20000人次"])
    assert answer_correct("人才资源总量达299000人", ["29.9万"])
    assert not answer_correct("召开家长会162次", ["62"])
    assert answer_correct("红、黄、绿三种颜色", [], ["红", "黄", "绿"])
    assert not answer_correct("红、黄两种颜色", [], ["红", "黄", "绿"])
    assert not answer_correct("龙超俊", ["龙超俊"], ["跨界交流"])
    assert not answer_correct("anything", [], [])
    assert answer_correct("The answer is 龙超俊", ["龙超俊"])


def test_citation_holds_and_precision() -> None:
    evidence = ["全区各校召开线上或线下家长会62次"]
    good = "议。2021至2022学年以来，全区各校召开线上或线下家长会 62 次，组织开展"
    other = "天元区教育局局长龙超俊说"
    has_answer = "共开家长会62次"
    assert citation_holds(good, evidence)
    assert not citation_holds(other, evidence)
    assert not citation_holds(good, [])
    assert citation_precision([good, other], evidence, ["62次"]) == pytest.approx(0.5)
    assert citation_precision([good, other, has_answer], evidence, ["62次"]) == pytest.approx(2 / 3)
    assert citation_precision([], evidence, ["62次"]) == 0.0


def test_retrieval_ranks_recall_and_mrr() -> None:
    hits = ["无关段落", "另一段", "全区各校召开线上或线下家长会62次", "家长会62次"]
    assert retrieval_ranks(hits, ["家长会62次"]) == 3
    assert retrieval_ranks(hits, ["不存在的证据"]) is None
    assert retrieval_ranks(hits, []) is None
    ranks = [1, 3, None, 2]
    assert recall_at_k(ranks, 1) == pytest.approx(0.25)
    assert recall_at_k(ranks, 3) == pytest.approx(0.75)
    assert recall_at_k([], 5) == 0.0
    assert mrr(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    assert mrr([]) == 0.0
    with pytest.raises(ValueError):
        recall_at_k(ranks, 0)


def test_abstention_scores() -> None:
    pred = [True, True, False, False, True]
    gold = [True, False, True, False, True]
    precision, recall = abstention_scores(pred, gold)
    assert precision == pytest.approx(2 / 3)
    assert recall == pytest.approx(2 / 3)
    assert false_refusal_rate(pred, gold) == pytest.approx(1 / 2)


def test_abstention_edge_cases() -> None:
    assert abstention_scores([False, False], [True, False]) == (1.0, 0.0)
    assert abstention_scores([True], [False]) == (0.0, 1.0)
    assert abstention_scores([], []) == (1.0, 1.0)
    assert false_refusal_rate([True], [True]) == 0.0
    with pytest.raises(ValueError):
        abstention_scores([True], [])


def test_percentile() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert percentile(values, 0) == 10.0
    assert percentile(values, 100) == 40.0
    assert percentile(values, 50) == pytest.approx(25.0)
    assert percentile(values, 95) == pytest.approx(38.5)
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile(values, 101)


def _write(tmp_path, lines: list[str]):
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = {
    "id": "q1",
    "question": "开了几次家长会？",
    "answers": ["62"],
    "evidence": ["家长会62次"],
    "type": "number",
}


def test_load_questions_reads_valid_lines(tmp_path) -> None:
    unans = {
        "id": "q2",
        "question": "总投资多少？",
        "answers": [],
        "evidence": [],
        "type": "unanswerable",
    }
    path = _write(
        tmp_path, [json.dumps(GOOD, ensure_ascii=False), "", json.dumps(unans, ensure_ascii=False)]
    )
    items = load_questions(path)
    assert [i.id for i in items] == ["q1", "q2"]
    assert items[1].unanswerable and not items[0].unanswerable
    assert items[0].answers == ("62",)


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        ("{not json", "line 2: not valid JSON"),
        (json.dumps({**GOOD, "id": "q9", "type": "riddle", "answers": []}), "line 2"),
        (json.dumps({**GOOD, "id": "q9", "answers": []}), "line 2"),
        (json.dumps({**GOOD, "id": "q9", "evidence": []}), "line 2"),
        (json.dumps({**GOOD, "id": "q9", "type": "unanswerable"}), "line 2"),
        (json.dumps({**GOOD, "id": "q9", "type": "followup"}), "line 2"),
        (json.dumps({**GOOD, "id": "q9", "history": "x"}), "line 2: history"),
        (json.dumps(GOOD), "line 2: duplicate id 'q1'"),
    ],
)
def test_load_questions_reports_line_numbers(tmp_path, bad: str, needle: str) -> None:
    path = _write(tmp_path, [json.dumps(GOOD), bad])
    with pytest.raises(EvalError) as info:
        load_questions(path)
    assert needle in str(info.value)


def test_load_questions_missing_file(tmp_path) -> None:
    with pytest.raises(EvalError):
        load_questions(tmp_path / "absent.jsonl")


def test_numbers_spaced_off_chinese_match_either_way() -> None:
    from rag.eval.metrics import answer_correct

    assert answer_correct("开发组将追加1500万元。", ["1500 万元"], [])
    assert answer_correct("全长约 279 公里。", ["279公里"], [])
    assert not answer_correct("追加150万元。", ["1500 万元"], [])
