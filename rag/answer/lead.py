"""Which clause an open answer leads with: for a what/how/why/list question the chosen sentence is
often long and states the asked-for thing in its middle ('……农业农村部于7月30日启动农业重大自然灾害
三级应急响应，要求……'), so the answer opens with the clauses that hold it and then gives the whole
sentence, as a typed answer opens with its fact.

The clause is chosen by a conditional logit (the same model as the sentence ranker, rag/answer/
ranker.py) over named features of each clause; its weights, `lead.json`, are fitted on crud-train
by `rag train-reader` (a clause is right when the lead window that starts at it holds the gold).
"""

from __future__ import annotations

import math
import re
from importlib.resources import files
from pathlib import Path

from rag.answer.facts import enumeration_size
from rag.answer.model_file import read_model
from rag.answer.question import Question
from rag.answer.ranker import Ranker, asked_bigrams, bigrams
from rag.answer.text import coverage
from rag.text import split_clauses

MAX_LEAD_CHARS = 60  # the lead: its clause and those after it up to this length
SHORT_SENTENCE = 40  # a sentence this short is read at a glance: no lead
_HAN = re.compile(r"[\u4e00-\u9fff]")
_QUOTE = re.compile(r"[《“「][^》”」]{1,40}[》”」]")
_DIGIT = re.compile(r"\d")
LEAD_FEATURES: tuple[str, ...] = (
    "cov", "cov_is_max", "cov_prev", "cov_next", "cov_window", "after_max", "first", "last", "position_rel",
    "chars_log", "new_chars_log", "has_quote", "has_number", "wh_window", "bigram_cov", "list_items_log",
    "list_items_is_max",
)


def _window_end(clauses: list[str], i: int, limit: int) -> int:
    """The end (exclusive) of the window that starts at clause i and stays within `limit`."""
    j, length = i + 1, len(clauses[i])
    while j < len(clauses) and length + len(clauses[j]) <= limit:
        length += len(clauses[j])
        j += 1
    return j


def lead_window(clauses: list[str], i: int, limit: int = MAX_LEAD_CHARS) -> str:
    """Clause i and the clauses after it while the text stays within `limit` characters."""
    return "".join(clauses[i:_window_end(clauses, i, limit)])


def clause_features(q: Question, clauses: list[str], i: int, covs: list[float]) -> dict[str, float]:
    """The named features of clause i of a sentence (`covs`: each clause's term coverage)."""
    c = clauses[i]
    top = max(covs)
    best = covs.index(top)
    asked = set(q.text)
    a = asked_bigrams(q.text)
    cb = bigrams(c)
    # a list question's answer is the clause that enumerates ('包括男子双打、女子双打、混合双打三个项目')
    listing = q.qtype == "list"
    items = [enumeration_size(x) if listing else 0 for x in clauses]
    return {
        "cov": covs[i], "cov_is_max": float(i == best), "cov_prev": covs[i - 1] if i else 0.0,
        "cov_next": covs[i + 1] if i + 1 < len(covs) else 0.0,
        "cov_window": coverage(q.terms, lead_window(clauses, i)) if q.terms else 0.0,
        "after_max": float(i == best + 1), "first": float(i == 0), "last": float(i == len(clauses) - 1),
        "position_rel": i / max(1, len(clauses) - 1), "chars_log": math.log1p(len(c)),
        "new_chars_log": math.log1p(sum(1 for ch in c if _HAN.match(ch) and ch not in asked)),
        "has_quote": float(bool(_QUOTE.search(c))), "has_number": float(bool(_DIGIT.search(c))),
        "wh_window": len(a.window & cb) / max(1, len(a.window)),
        "bigram_cov": len(a.bigrams & cb) / max(1, len(a.bigrams)),
        "list_items_log": math.log1p(items[i]), "list_items_is_max": float(listing and items[i] >= 2 and items[i] == max(items)),
    }


def sentence_clauses(q: Question, sentence: str) -> tuple[list[str], list[dict[str, float]]]:
    """The sentence's clauses and their features ([] for a short sentence)."""
    if len(sentence) <= SHORT_SENTENCE:
        return [], []
    clauses = split_clauses(sentence)
    if len(clauses) < 2:
        return [], []
    covs = [coverage(q.terms, c) if q.terms else 0.0 for c in clauses]
    return clauses, [clause_features(q, clauses, i, covs) for i in range(len(clauses))]


def split_lead(q: Question, sentence: str, model: Ranker | None) -> tuple[str, str] | None:
    """The sentence as (lead, rest): the window from the best clause, and the clauses around it in
    their order; None when the sentence is short, has one clause, or already opens with its best
    clause (or there is no model)."""
    if model is None:
        return None
    clauses, feats = sentence_clauses(q, sentence)
    if not clauses:
        return None
    scores = [model.score(f) for f in feats]
    i = max(range(len(scores)), key=scores.__getitem__)
    if i == 0:
        return None
    j = _window_end(clauses, i, MAX_LEAD_CHARS)
    return "".join(clauses[i:j]), "".join(clauses[:i] + clauses[j:])


def packaged_path() -> Path:
    return Path(str(files("rag").joinpath("answer", "lead.json")))


def load_lead(path: Path | None = None) -> Ranker | None:
    """The packaged lead model (or the file given); None when there is none."""
    return read_model(path or packaged_path(), Ranker.from_json, "lead clause",
                      "refit it with `rag train-reader`")
