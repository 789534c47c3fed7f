"""How likely the extractive answer is right: a logistic model over named features of the question,
the retrieved paragraphs and the draft.

The reader's own score ranks candidate sentences within one question; it is not comparable across
questions. This model turns it, with what retrieval and the draft say, into a probability that is:
fitted on `crud-train` (CRUD-RAG training questions over their reports and 1,500 distractors,
retrieved by BM25, read by the full reader; `rag train-calibrator` reproduces `calibration.json`
from that set alone), its abstention
threshold chosen on dev sets for a stated false-refusal rate. The features are pure functions;
the weights are data (`rag/answer/calibration.json`, versioned).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

from rag.answer.base import Draft
from rag.answer.model_file import floats, read_model
from rag.answer.question import Question
from rag.answer.text import coverage
from rag.records import Hit

QTYPES = ("number", "person", "date", "place", "entity", "name", "list", "why", "how", "what")
# No dense-retrieval scores: the model is fitted on keyword-retrieved contexts (embedding the
# training corpus would take an hour on 2 cores), so it must not lean on what those lack.
FEATURES: tuple[str, ...] = (
    "reader_score", "cited_rank", "cited_is_top", "quote_coverage",
    "paragraph_coverage", "answer_chars_log", "question_chars_log", "n_cited", "partial",
    "english", "has_year", "choice", *(f"type_{t}" for t in QTYPES),
)


def features(q: Question, hits: Sequence[Hit], draft: Draft) -> dict[str, float]:
    """The named features of one answered draft (the values the model was fitted on)."""
    cited = [n for n in draft.cited if 1 <= n <= len(hits)] or [1]
    first = cited[0]
    quote = " ".join(draft.quotes.values()) or draft.text
    paragraph = hits[first - 1].paragraph.text if hits else ""
    out = {
        "reader_score": float(draft.confidence),
        "cited_rank": float(first),
        "cited_is_top": float(first == 1),
        "quote_coverage": coverage(q.terms, quote) if q.terms else 0.0,
        "paragraph_coverage": coverage(q.terms, paragraph) if q.terms else 0.0,
        "answer_chars_log": math.log1p(len(draft.text)),
        "question_chars_log": math.log1p(len(q.text)),
        "n_cited": float(len(draft.cited)),
        "partial": float("partial" in draft.flags),
        "english": float(q.lang == "en"),
        "has_year": float(bool(q.years)),
        # how much of the ranker's mass the chosen sentence holds (1.0 with no ranker: one choice)
        "choice": float(draft.choice) if draft.choice is not None else 1.0,
    }
    out.update({f"type_{t}": float(q.qtype == t) for t in QTYPES})
    return out


@dataclass(frozen=True)
class Calibrator:
    """P(right) = sigmoid(bias + sum(weight * (x - mean) / scale)) over FEATURES."""

    weights: Mapping[str, float]
    bias: float
    mean: Mapping[str, float]
    scale: Mapping[str, float]
    fitted_on: str = ""
    version: int = 1
    ids_sha256: str = ""  # of the sorted question ids it was fitted on (a test checks no dev id is among them)

    def probability(self, feats: Mapping[str, float]) -> float:
        z = self.bias + sum(w * (feats.get(k, 0.0) - self.mean.get(k, 0.0)) / (self.scale.get(k, 1.0) or 1.0)
                            for k, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> str:
        return json.dumps({"version": self.version, "fitted_on": self.fitted_on,
                           "ids_sha256": self.ids_sha256, "bias": self.bias,
                           "weights": dict(self.weights), "mean": dict(self.mean),
                           "scale": dict(self.scale)}, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Calibrator:
        raw = json.loads(text)
        return cls(weights=floats(raw["weights"]), bias=float(raw["bias"]), mean=floats(raw["mean"]),
                   scale=floats(raw["scale"]), fitted_on=raw.get("fitted_on", ""), version=int(raw.get("version", 1)),
                   ids_sha256=raw.get("ids_sha256", ""))


def packaged_path() -> Path:
    return Path(str(files("rag").joinpath("answer", "calibration.json")))


def load_calibrator(path: Path | None = None) -> Calibrator | None:
    """The packaged model (or the file given); None when there is none."""
    return read_model(path or packaged_path(), Calibrator.from_json, "calibration",
                      "refit it with `rag train-calibrator --out FILE`, or unset answer.calibration_file")


def fit(rows: Sequence[Mapping[str, float]], labels: Sequence[bool], *, l2: float = 1.0,
        fitted_on: str = "", iterations: int = 50) -> Calibrator:
    """L2-regularised logistic regression by Newton's method on standardised features."""
    x = np.array([[r.get(k, 0.0) for k in FEATURES] for r in rows], dtype=np.float64)
    y = np.array(labels, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], l2)
    reg[0] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - y) + reg * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Calibrator(weights={k: round(float(v), 6) for k, v in zip(FEATURES, w[1:], strict=True)},
                      bias=round(float(w[0]), 6),
                      mean={k: round(float(v), 6) for k, v in zip(FEATURES, mean, strict=True)},
                      scale={k: round(float(v), 6) for k, v in zip(FEATURES, scale, strict=True)},
                      fitted_on=fitted_on)


def ids_digest(ids: Sequence[str]) -> str:
    """SHA-256 of the sorted, newline-joined question ids."""
    import hashlib

    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Area under the ROC curve (the chance that a right answer outscores a wrong one)."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))
