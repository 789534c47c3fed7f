"""The answer calibration: named features, a logistic fit that recovers a known rule, the JSON
weights file, and the reader refusing ('unsure') below the threshold."""

from __future__ import annotations

import random

import pytest

from rag.answer.base import Draft
from rag.answer.calibrate import FEATURES, Calibrator, auc, features, fit, load_calibrator
from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.question import analyze

from .conftest import assert_fitted_on_crud_train_only


def test_features_are_named_and_finite(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    q = analyze("天元区的学校开了多少次家长会？", tok)
    hits = make_hits()
    draft = ExtractiveAnswerer(settings, tokenizer=tok).answer(q.text, hits)
    f = features(q, hits, draft)
    assert set(f) == set(FEATURES)
    assert f["type_number"] == 1.0 and f["cited_is_top"] == 1.0 and f["quote_coverage"] > 0.3
    assert all(v == v for v in f.values())
    unrelated = Draft(text="黄湘源[6]。", cited=(6,), quotes={6: hits[5].paragraph.text}, confidence=1.0)
    assert features(q, hits, unrelated)["quote_coverage"] < f["quote_coverage"]


def test_fit_recovers_a_rule_and_round_trips() -> None:
    rng = random.Random(1)
    rows, labels = [], []
    for _ in range(400):
        cov, score = rng.random(), rng.random() * 3
        rows.append({"quote_coverage": cov, "reader_score": score})
        labels.append(rng.random() < 1 / (1 + 2.718 ** -(6 * cov - 3)))  # only coverage matters
    model = fit(rows, labels, fitted_on="synthetic")
    assert model.weights["quote_coverage"] > 1.0 > abs(model.weights["reader_score"])
    assert auc([model.probability(r) for r in rows], labels) > 0.75
    again = Calibrator.from_json(model.to_json())
    assert again.probability(rows[0]) == pytest.approx(model.probability(rows[0]))
    assert again.fitted_on == "synthetic"


def test_the_packaged_model_loads_and_ranks_coverage_up() -> None:
    model = load_calibrator()
    assert model is not None and set(model.weights) == set(FEATURES) and "crud-train" in model.fitted_on
    low = {**model.mean, "quote_coverage": 0.1}
    high = {**model.mean, "quote_coverage": 1.0}
    assert model.probability(high) > model.probability(low)


def test_the_reader_refuses_below_the_threshold(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    never = Calibrator(weights={}, bias=-5.0, mean={}, scale={})  # P(right) = 0.007 for anything
    strict = settings.model_copy(update={"answer": settings.answer.model_copy(
        update={"min_answer_probability": 0.2})})
    d = ExtractiveAnswerer(strict, tokenizer=tok, calibrator=never).answer("天元区的学校开了多少次家长会？", make_hits())
    assert d.abstained and "unsure" in d.flags and d.probability == pytest.approx(0.0067, abs=1e-3)
    sure = Calibrator(weights={}, bias=5.0, mean={}, scale={})
    d = ExtractiveAnswerer(strict, tokenizer=tok, calibrator=sure).answer("天元区的学校开了多少次家长会？", make_hits())
    assert not d.abstained and "62次" in d.text and d.probability == pytest.approx(0.993, abs=1e-3)


def test_the_packaged_model_was_fitted_on_train_questions_only() -> None:
    """Its ids digest is that of crud-train's questions, and no dev question is among them."""
    model = load_calibrator()
    assert model is not None
    assert_fitted_on_crud_train_only(model.ids_sha256)
