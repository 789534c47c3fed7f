"""The open answer's lead clause (rag/answer/lead.py)."""

from __future__ import annotations

from rag.answer.lead import (
    LEAD_FEATURES,
    SHORT_SENTENCE,
    lead_window,
    load_lead,
    sentence_clauses,
    split_lead,
)
from rag.answer.question import analyze
from rag.answer.ranker import Ranker
from rag.answer.tokenize import Tokenizer

from .conftest import assert_fitted_on_crud_train_only

SENTENCE = ("针对华北黄淮等地强降雨可能对农业生产带来的不利影响，农业农村部于7月30日启动农业重大自然灾害三级应急响应，"
            "要求北京、天津、河北等省市落实好防汛救灾措施。")


def _by(feature: str) -> Ranker:
    """A model that prefers the clause with the most of `feature`."""
    return Ranker(weights={feature: 1.0}, mean={}, scale={})


def test_the_lead_is_the_clause_with_the_question_terms_and_the_rest_keeps_every_other_clause(tok: Tokenizer) -> None:
    q = analyze("农业农村部启动了什么应急响应？", tok)
    lead, rest = split_lead(q, SENTENCE, _by("cov"))  # type: ignore[misc]
    assert lead.startswith("农业农村部于7月30日启动") and "三级应急响应" in lead
    assert rest == "针对华北黄淮等地强降雨可能对农业生产带来的不利影响，"  # the clauses before it
    assert sorted(lead + rest) == sorted(SENTENCE)  # nothing lost, nothing repeated


def test_no_lead_for_a_short_sentence_a_first_clause_or_no_model(tok: Tokenizer) -> None:
    q = analyze("农业农村部启动了什么应急响应？", tok)
    assert split_lead(q, "农业农村部启动了三级应急响应。", _by("cov")) is None
    assert len("农业农村部启动了三级应急响应。") <= SHORT_SENTENCE
    assert split_lead(q, SENTENCE, _by("first")) is None  # the best clause opens the sentence already
    assert split_lead(q, SENTENCE, None) is None


def test_lead_window_stops_at_its_length() -> None:
    clauses = ["一二三四五，", "六七八九十，", "甲乙丙丁戊。"]
    assert lead_window(clauses, 0, limit=12) == "一二三四五，六七八九十，"
    assert lead_window(clauses, 1, limit=6) == "六七八九十，"


def test_every_clause_gets_every_named_feature(tok: Tokenizer) -> None:
    q = analyze("农业农村部启动了什么应急响应？", tok)
    clauses, feats = sentence_clauses(q, SENTENCE)
    assert len(clauses) == len(feats) >= 3 and all(set(f) == set(LEAD_FEATURES) for f in feats)


def test_an_open_answer_opens_with_its_lead_and_keeps_the_whole_sentence(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    from rag.answer.extractive import ExtractiveAnswerer

    q = "农业农村部启动了什么应急响应？"
    hits = make_hits(rows=[("a1", "农业农村部启动农业重大自然灾害三级应急响应", SENTENCE)])
    plain = ExtractiveAnswerer(settings, tokenizer=tok).answer(q, hits)
    led = ExtractiveAnswerer(settings, tokenizer=tok, lead=_by("cov")).answer(q, hits)
    assert not plain.abstained and not led.abstained
    assert plain.text.startswith("针对华北") and led.text.startswith("农业农村部于7月30日启动")
    assert led.text.count("[1]") == 2 and led.quotes == plain.quotes


def test_the_packaged_model_loads_and_was_fitted_on_train_questions_only() -> None:
    model = load_lead()
    assert model is not None and set(model.weights) == set(LEAD_FEATURES) and "crud-train" in model.fitted_on
    assert_fitted_on_crud_train_only(model.ids_sha256)


def test_a_list_answer_leads_with_its_enumeration_and_drops_a_bare_attribution(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    from rag.answer.extractive import ExtractiveAnswerer

    sentence = "据介绍，本次大赛包括男子双打、女子双打、混合双打三个项目，由全国总工会宣传教育部主办。"
    q = analyze("本次大赛包括哪几个项目？", tok)
    clauses, feats = sentence_clauses(q, sentence)
    assert [f["list_items_log"] > 0 for f in feats] == [False, True, False]
    hits = make_hits(rows=[("a1", "羽毛球大赛", sentence)])
    d = ExtractiveAnswerer(settings, tokenizer=tok, lead=_by("list_items_log")).answer(q.text, hits)
    assert d.text.startswith("本次大赛包括男子双打") and "据介绍" not in d.text, d.text
    assert d.quotes[1] == sentence  # the citation keeps the whole sentence
