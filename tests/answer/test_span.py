"""The typed answer's span (rag/answer/span.py): which of a sentence's spans of the asked-for kind
the answer leads with."""

from __future__ import annotations

from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.question import analyze
from rag.answer.ranker import Ranker
from rag.answer.span import SPAN_FEATURES, choose, load_span, span_features
from rag.answer.tokenize import Tokenizer

from .conftest import assert_fitted_on_crud_train_only

SENTENCE = "记者从集团获悉，集团上半年实现营收410.62亿元和利润50.80亿元，利润创历史同期新高。"
QUESTION = "集团上半年实现了多少利润？"


def _by(feature: str) -> Ranker:
    """A model that prefers the span with the most of `feature`."""
    return Ranker(weights={feature: 1.0}, mean={}, scale={})


def test_every_span_gets_every_named_feature_and_the_rule_is_marked(settings, tok: Tokenizer) -> None:  # type: ignore[no-untyped-def]
    reader = ExtractiveAnswerer(settings, tokenizer=tok)
    q = analyze(QUESTION, tok)
    spans = reader.spans(q, SENTENCE)
    assert spans is not None and [f.text for f in spans.facts] == ["410.62亿元", "50.80亿元"]
    feats = span_features(q, SENTENCE, spans.facts, spans.rule, spans.fits)
    assert all(set(f) == set(SPAN_FEATURES) for f in feats)
    assert [f["rule"] for f in feats].count(1.0) == 1
    # the question's 利润 sits right before the second amount: its left side matches the question's
    assert feats[1]["after_term"] == 1.0 and feats[0]["after_term"] == 0.0


def test_choose_follows_the_model_and_falls_back_to_the_rule(settings, tok: Tokenizer) -> None:  # type: ignore[no-untyped-def]
    reader = ExtractiveAnswerer(settings, tokenizer=tok)
    q = analyze(QUESTION, tok)
    spans = reader.spans(q, SENTENCE)
    assert spans is not None
    assert choose(None, q, SENTENCE, spans.facts, spans.rule, spans.fits) == spans.rule
    assert choose(_by("after_term"), q, SENTENCE, spans.facts, spans.rule, spans.fits) == 1
    assert choose(_by("first"), q, SENTENCE, spans.facts, spans.rule, spans.fits) == 0
    assert choose(_by("first"), q, SENTENCE, spans.facts[:1], 0) == 0  # one span: nothing to choose


def test_the_packaged_model_leads_with_the_asked_amount(settings, tok: Tokenizer, make_hits) -> None:  # type: ignore[no-untyped-def]
    hits = make_hits(rows=[("a1", "集团上半年业绩", SENTENCE)])
    model = load_span()
    d = ExtractiveAnswerer(settings, tokenizer=tok, span=model).answer(QUESTION, hits)
    assert not d.abstained and d.text.startswith("50.80亿元。"), d.text


def test_an_open_question_has_no_typed_span(settings, tok: Tokenizer) -> None:  # type: ignore[no-untyped-def]
    reader = ExtractiveAnswerer(settings, tokenizer=tok)
    assert reader.spans(analyze("集团利润创了什么纪录？", tok), SENTENCE) is None


def test_the_packaged_model_loads_and_was_fitted_on_train_questions_only() -> None:
    model = load_span()
    assert model is not None and set(model.weights) == set(SPAN_FEATURES) and "crud-train" in model.fitted_on
    assert_fitted_on_crud_train_only(model.ids_sha256)


def test_a_where_question_reads_the_phrase_after_a_locative_word(settings, tok: Tokenizer) -> None:  # type: ignore[no-untyped-def]
    reader = ExtractiveAnswerer(settings, tokenizer=tok)
    q, sentence = analyze("嫌疑人躲藏在哪里？", tok), "大约7小时后，警方发现嫌疑人躲藏在一家酒店。"
    spans = reader.spans(q, sentence)
    assert spans is not None and spans.ok and [f.text for f in spans.facts] == ["一家酒店"]
    feats = span_features(q, sentence, spans.facts, 0)
    assert feats[0]["locative"] == 1.0
