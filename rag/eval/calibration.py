"""Fitting the answer calibration (rag/answer/calibrate.py) on a named set, and choosing its
abstention threshold on others: run the extractive reader, uncalibrated, over every question,
label each answered draft right or wrong with the eval's own matching, fit, report AUC."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rag.answer.calibrate import Calibrator, auc, features, fit
from rag.answer.question import analyze
from rag.eval.metrics import answer_correct
from rag.eval.questions import QuestionItem


@dataclass(frozen=True)
class Row:
    """One question's extractive draft: its features (None when it refused) and the truth."""

    id: str
    unanswerable: bool
    answered: bool
    right: bool
    feats: dict[str, float] | None


def collect(pipeline: Any, questions: Sequence[QuestionItem], *,
            progress: Callable[[int, int], None] | None = None) -> list[Row]:
    """The uncalibrated extractive draft of every question, with its features and label."""
    reader = pipeline.chain.extractive
    saved, reader.calibrator = reader.calibrator, None
    k = pipeline.settings.retrieval.top_k
    rows = []
    try:
        for i, item in enumerate(questions, start=1):
            hits = pipeline.search(item.question, k)
            draft = reader.answer(item.question, hits)
            answered = not draft.abstained
            rows.append(Row(
                id=item.id, unanswerable=item.unanswerable, answered=answered,
                right=answered and not item.unanswerable
                and answer_correct(draft.text, item.answers, item.answers_all),
                feats=features(analyze(item.question, reader.tok), hits, draft) if answered else None))
            if progress:
                progress(i, len(questions))
    finally:
        reader.calibrator = saved
    return rows


def train(rows: Sequence[Row], *, l2: float = 1.0, fitted_on: str = "") -> Calibrator:
    from dataclasses import replace

    from rag.answer.calibrate import ids_digest

    answered = [r for r in rows if r.feats is not None]
    model = fit([r.feats for r in answered if r.feats], [r.right for r in answered], l2=l2,
                fitted_on=fitted_on)
    return replace(model, ids_sha256=ids_digest([r.id for r in rows]))


def threshold_table(calibrator: Calibrator, rows: Sequence[Row],
                    thresholds: Sequence[float] = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
                    ) -> list[dict[str, float]]:
    """What each abstention threshold would do on `rows`: accuracy over answerable questions,
    answerable refused, unanswerable refused (refusals by the reader itself counted as such)."""
    probs = {r.id: calibrator.probability(r.feats) for r in rows if r.feats is not None}
    answerable = [r for r in rows if not r.unanswerable]
    unanswerable = [r for r in rows if r.unanswerable]
    out = []
    for t in thresholds:
        def kept(r: Row, t: float = t) -> bool:
            return r.answered and probs[r.id] >= t
        out.append({
            "threshold": t,
            "accuracy": sum(r.right and kept(r) for r in answerable) / max(1, len(answerable)),
            "answerable_refused": sum(not kept(r) for r in answerable) / max(1, len(answerable)),
            "unanswerable_refused": (sum(not kept(r) for r in unanswerable) / len(unanswerable))
            if unanswerable else float("nan"),
        })
    return out


def separation(calibrator: Calibrator, rows: Sequence[Row]) -> dict[str, float]:
    """AUC of the calibrated probability and of the reader's raw score (answered drafts)."""
    answered = [r for r in rows if r.feats is not None]
    labels = [r.right for r in answered]
    return {"n": len(answered), "right": sum(labels),
            "auc": auc([calibrator.probability(r.feats) for r in answered if r.feats], labels),
            "auc_reader_score": auc([r.feats["reader_score"] for r in answered if r.feats], labels)}
