"""Evaluation metrics as pure functions (no I/O, no pipeline imports).

Matching is done on normalised text (see rag.eval.normalize): width, case, spaces,
punctuation and number forms never decide whether an answer is right.

Conventions for empty inputs (chosen so that reports never hold NaN):
- abstention precision with no abstentions is 1.0 (no wrong abstention was made);
  abstention recall with no unanswerable questions is 1.0 (nothing to miss);
- false_refusal_rate with no answerable questions is 0.0;
- citation_precision with no citations is 0.0 (an uncited answer is not grounded);
- recall_at_k and mrr over no questions are 0.0; percentile of no values raises ValueError.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rag.eval.normalize import contains_normalized, normalize_answer, strip_punctuation
from rag.eval.questions import QuestionItem, load_questions

__all__ = [
    "QuestionItem",
    "abstention_scores",
    "answer_correct",
    "citation_holds",
    "citation_precision",
    "false_refusal_rate",
    "load_questions",
    "mrr",
    "normalize_answer",
    "percentile",
    "recall_at_k",
    "retrieval_ranks",
]


def answer_correct(
    answer_text: str, answers: Sequence[str], answers_all: Sequence[str] = ()
) -> bool:
    """True when ANY of `answers` and ALL of `answers_all` occur in the answer (normalised).

    With neither list given nothing can be right: unanswerable questions are scored by
    abstention instead.
    """
    if not answers and not answers_all:
        return False
    norm = normalize_answer(answer_text)
    any_ok = not answers or any(contains_normalized(norm, normalize_answer(a)) for a in answers)
    all_ok = all(contains_normalized(norm, normalize_answer(a)) for a in answers_all)
    return any_ok and all_ok


def citation_holds(citation_text: str, evidence: Sequence[str]) -> bool:
    """Whether a cited text contains any evidence string (normalised, numbers as written)."""
    norm = strip_punctuation(citation_text)
    needles = [strip_punctuation(e) for e in evidence]
    return any(needle and needle in norm for needle in needles)


def citation_precision(
    citation_texts: Sequence[str], evidence: Sequence[str], answers: Sequence[str]
) -> float:
    """Share of citations that hold an evidence string or one of the answer strings."""
    if not citation_texts:
        return 0.0
    norm_answers = [normalize_answer(a) for a in answers]
    good = 0
    for text in citation_texts:
        norm = normalize_answer(text)
        if citation_holds(text, evidence) or any(
            contains_normalized(norm, a) for a in norm_answers
        ):
            good += 1
    return good / len(citation_texts)


def retrieval_ranks(hit_texts: Sequence[str], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first hit whose text holds any evidence string, or None."""
    if not evidence:
        return None
    for rank, text in enumerate(hit_texts, start=1):
        if citation_holds(text, evidence):
            return rank
    return None


def recall_at_k(ranks: Sequence[int | None], k: int) -> float:
    """Share of questions whose gold paragraph is ranked within the top k."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if not ranks:
        return 0.0
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mrr(ranks: Sequence[int | None]) -> float:
    """Mean reciprocal rank; a question whose gold paragraph was not retrieved counts 0."""
    if not ranks:
        return 0.0
    return sum(1.0 / r for r in ranks if r is not None) / len(ranks)


def abstention_scores(
    pred_abstained: Sequence[bool], is_unanswerable: Sequence[bool]
) -> tuple[float, float]:
    """(precision, recall) of abstaining, with unanswerable questions as the positive class."""
    _check_same_length(pred_abstained, is_unanswerable)
    true_pos = sum(1 for p, u in zip(pred_abstained, is_unanswerable, strict=True) if p and u)
    predicted = sum(1 for p in pred_abstained if p)
    actual = sum(1 for u in is_unanswerable if u)
    precision = true_pos / predicted if predicted else 1.0
    recall = true_pos / actual if actual else 1.0
    return precision, recall


def false_refusal_rate(pred_abstained: Sequence[bool], is_unanswerable: Sequence[bool]) -> float:
    """Share of answerable questions on which the system abstained."""
    _check_same_length(pred_abstained, is_unanswerable)
    answerable = [p for p, u in zip(pred_abstained, is_unanswerable, strict=True) if not u]
    return sum(answerable) / len(answerable) if answerable else 0.0


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= p <= 100:
        raise ValueError(f"p must be within 0..100, got {p}")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _check_same_length(a: Sequence[bool], b: Sequence[bool]) -> None:
    if len(a) != len(b):
        raise ValueError(f"length mismatch: {len(a)} predictions vs {len(b)} labels")
