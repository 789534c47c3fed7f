"""Which span of the chosen sentence a typed answer leads with: a sentence often holds several
facts of the asked-for kind ('营收410.62亿元和利润50.80亿元', '新增385万个岗位，其中140万个可能无人可用'),
and the right one is the one whose surroundings match the question's around its question word.

The span is chosen by a conditional logit (the same model as the sentence ranker, rag/answer/
ranker.py) over named features of each span of the sentence; its weights, `span.json`, are fitted
on crud-train by `rag train-reader` (a span is right when it states a gold answer). The reader's
hand rule (the nearest span to a question word, the best-fitting quantity) is one of the features,
so the model learns when to overrule it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from rag.answer.anchors import ANCHOR_WINDOW, anchor_distance, right_after_term
from rag.answer.facts import Fact
from rag.answer.model_file import read_model
from rag.answer.question import Question
from rag.answer.ranker import Ranker, bigrams
from rag.answer.text import coverage
from rag.answer.units import clause_at
from rag.text import split_clauses

SIDE = 8  # characters either side of a span (and of the question word) that are compared
SPAN_FEATURES: tuple[str, ...] = (
    "rule", "fit", "fit_is_max", "first", "last", "index_rel", "gap_log", "gap_near", "after_term",
    "left_match", "right_match", "left_any", "right_any", "clause_cov", "clause_cov_is_max",
    "chars_log", "hedged", "locative",
)
# the question word itself (the sentence ranker's pattern also takes particles such as 吗, 呢)
_WH = re.compile(r"什么|哪[一两几]?[个些里儿年月天位家所座支条项种国省市县区]?|多少|几[个次年月日天名家位项]?|谁|"
                 r"何时|何地|何种|怎么|怎样|如何|为什么|为何")
_HEDGE = ("约", "近", "逾", "超", "余", "多")


@dataclass(frozen=True)
class _Slot:
    """The question's words either side of its question word (the slot the answer fills)."""

    left: frozenset[str]
    right: frozenset[str]
    all: frozenset[str]


@lru_cache(maxsize=256)
def _slot(text: str) -> _Slot:
    m = _WH.search(text)
    stripped = _WH.sub(" ", text)
    if m is None:
        return _Slot(frozenset(), frozenset(), frozenset(bigrams(stripped)))
    return _Slot(frozenset(bigrams(text[max(0, m.start() - SIDE):m.start()])),
                 frozenset(bigrams(text[m.end():m.end() + SIDE])), frozenset(bigrams(stripped)))


def _share(a: frozenset[str], b: set[str]) -> float:
    return len(a & b) / len(a) if a else 0.0


def span_features(q: Question, sentence: str, facts: Sequence[Fact], rule: int,
                  fits: Sequence[float] | None = None) -> list[dict[str, float]]:
    """The named features of each of the sentence's candidate spans (`rule`: the index the hand
    rule picks; `fits`: each span's fit to the question, e.g. a quantity's counted-noun match)."""
    n = len(facts)
    slot = _slot(q.text)
    clauses = split_clauses(sentence)
    covs = [coverage(q.terms, clause_at(clauses, g.start)) if q.terms else 0.0 for g in facts]
    top_cov, top_fit = max(covs), max(fits) if fits else 1.0
    out = []
    for i, f in enumerate(facts):
        left = bigrams(sentence[max(0, f.start - SIDE):f.start])
        right = bigrams(sentence[f.end:f.end + SIDE])
        gap = anchor_distance(q, sentence, f)
        fit = fits[i] if fits is not None else 1.0
        out.append({
            "rule": float(i == rule), "fit": min(fit, 3.0), "fit_is_max": float(fit >= top_fit),
            "first": float(i == 0), "last": float(i == n - 1), "index_rel": i / max(1, n - 1),
            "gap_log": math.log1p(min(gap, 40)), "gap_near": float(gap <= ANCHOR_WINDOW),
            "after_term": float(right_after_term(q, sentence, f)),
            # the question's words before its question word before the span, those after it after
            "left_match": _share(slot.left, left), "right_match": _share(slot.right, right),
            "left_any": _share(slot.all, left), "right_any": _share(slot.all, right),
            "clause_cov": covs[i], "clause_cov_is_max": float(covs[i] >= top_cov),
            "chars_log": math.log1p(len(f.text)),
            "locative": float(f.kind == "locative"),  # a phrase after 在/到/往, not a place name
            "hedged": float(f.start > 0 and sentence[f.start - 1] in _HEDGE or sentence[f.end:f.end + 1] in _HEDGE),
        })
    return out


def choose(model: Ranker | None, q: Question, sentence: str, facts: Sequence[Fact], rule: int,
           fits: Sequence[float] | None = None) -> int:
    """The index of the span the answer leads with: the model's best, else the rule's."""
    if model is None or len(facts) < 2:
        return rule
    scores = [model.score(f) for f in span_features(q, sentence, facts, rule, fits)]
    return max(range(len(facts)), key=scores.__getitem__)


def packaged_path() -> Path:
    return Path(str(files("rag").joinpath("answer", "span.json")))


def load_span(path: Path | None = None) -> Ranker | None:
    """The packaged span model (or the file given); None when there is none."""
    return read_model(path or packaged_path(), Ranker.from_json, "answer span",
                      "refit it with `rag train-reader`")
