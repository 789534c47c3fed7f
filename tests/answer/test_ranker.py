"""The reader's candidate ranker: named features, a conditional-logit fit that recovers a known
preference, the JSON weights file, the reader choosing by it, and what it was fitted on."""

from __future__ import annotations

import random

import pytest

from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.question import analyze
from rag.answer.ranker import (
    FEATURES,
    Group,
    Ranker,
    candidate_features,
    fit,
    ids_digest,
    load_ranker,
    top1,
)

from .conftest import assert_fitted_on_crud_train_only


def test_features_are_named_and_finite(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    q = analyze("天元区的学校开了多少次家长会？", tok)
    reader = ExtractiveAnswerer(settings, tokenizer=tok)
    cands = reader._candidates(q, make_hits())
    assert cands
    for c in cands:
        f = candidate_features(q, c)
        assert set(f) == set(FEATURES) and all(v == v and abs(v) < 1e6 for v in f.values())
    cov = {c.sentence: candidate_features(q, c)["bigram_cov"] for c in cands}
    answer = next(s for s in cov if "62次" in s)
    assert cov[answer] > min(cov.values())  # it shares phrases of the question (家长会) that others lack


def test_fit_recovers_a_preference_and_round_trips() -> None:
    rng = random.Random(3)
    groups = []
    for i in range(300):
        feats = [{"bigram_cov": rng.random(), "chars_log": rng.random() * 5} for _ in range(6)]
        gold_at = max(range(6), key=lambda k: feats[k]["bigram_cov"] + rng.gauss(0, 0.1))  # only coverage matters
        groups.append(Group(id=f"g{i}", feats=feats, gold=[k == gold_at for k in range(6)]))
    model = fit(groups, fitted_on="synthetic")
    assert model.weights["bigram_cov"] > 1.0 > abs(model.weights["chars_log"])
    assert top1(model, groups) > 0.6  # chance is 1/6
    again = Ranker.from_json(model.to_json())
    assert again.score(groups[0].feats[0]) == pytest.approx(model.score(groups[0].feats[0]))
    assert again.ids_sha256 == ids_digest([g.id for g in groups])


def test_the_reader_chooses_by_the_ranker(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    question = "天元区的学校开了多少次家长会？"
    plain = ExtractiveAnswerer(settings, tokenizer=tok).answer(question, make_hits())
    assert "62次" in plain.text
    # a ranker that prefers the longest candidate sentence picks by that alone
    contrary = Ranker(weights={"chars_log": 5.0}, mean={}, scale={})
    q = analyze(question, tok)
    cands = [c for c in ExtractiveAnswerer(settings, tokenizer=tok)._candidates(q, make_hits()) if c.fact_ok]
    longest = max(cands, key=lambda c: len(c.sentence))
    d = ExtractiveAnswerer(settings, tokenizer=tok, ranker=contrary).answer(question, make_hits())
    assert d.abstained or longest.sentence[:10] in "".join(d.quotes.values())


def test_the_packaged_model_loads_and_was_fitted_on_train_questions_only() -> None:
    model = load_ranker()
    assert model is not None and set(model.weights) == set(FEATURES) and "crud-train" in model.fitted_on
    assert_fitted_on_crud_train_only(model.ids_sha256)
