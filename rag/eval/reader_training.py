"""Fitting the reader's candidate ranker (rag/answer/ranker.py) on a named set: run the reader's
candidate stage over every question's retrieved paragraphs, label each candidate sentence by
whether it holds a gold answer (the eval's own matching), fit, and report top-1 accuracy."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.answer.lead import lead_window, sentence_clauses
from rag.answer.numbers import whole_quantity
from rag.answer.question import Question, analyze
from rag.answer.ranker import Group, candidate_features
from rag.answer.refusal import TYPED
from rag.answer.span import span_features
from rag.eval.metrics import answer_correct
from rag.eval.normalize import contains_normalized, normalize_answer
from rag.eval.questions import QuestionItem

if TYPE_CHECKING:
    from rag.answer.extractive import Candidate


def _read(pipeline: Any, questions: Sequence[QuestionItem],
          progress: Callable[[int, int], None] | None) -> Iterator[tuple[QuestionItem, Question, list[Candidate]]]:
    """Each answerable question with its analysis and the reader's candidates over its retrieved
    paragraphs (the reader's candidate stage, as the answerer runs it)."""
    reader = pipeline.chain.extractive
    k = pipeline.settings.retrieval.top_k
    for i, item in enumerate(questions, start=1):
        if progress:
            progress(i, len(questions))
        if item.unanswerable or not (item.answers or item.answers_all):
            continue
        q = analyze(item.question, reader.tok)
        yield item, q, reader._candidates(q, pipeline.search(item.question, k))


def collect(pipeline: Any, questions: Sequence[QuestionItem], *,
            progress: Callable[[int, int], None] | None = None) -> tuple[list[Group], list[list[float]]]:
    """Each answerable question's candidate pool (the sentences the reader chooses among) with
    features and gold labels, and the heuristic scores of the same candidates (the baseline)."""
    groups, heuristic = [], []
    for item, q, cands in _read(pipeline, questions, progress):
        if q.qtype in TYPED or q.needs_name:
            cands = [c for c in cands if c.fact_ok]
        if not cands:
            continue
        groups.append(Group(id=item.id, feats=[candidate_features(q, c) for c in cands],
                            gold=[answer_correct(c.sentence, item.answers, item.answers_all) for c in cands]))
        heuristic.append([c.score for c in cands])
    return groups, heuristic


def save(groups: Iterable[Group], heuristic: Iterable[Sequence[float]], path: Path) -> None:
    """The collected groups as JSON lines (a cache for refitting without re-reading)."""
    with path.open("w", encoding="utf-8") as f:
        for g, h in zip(groups, heuristic, strict=True):
            f.write(json.dumps({"id": g.id, "feats": g.feats, "gold": g.gold, "heuristic": list(h)}) + "\n")


def load(path: Path) -> tuple[list[Group], list[list[float]]]:
    groups, heuristic = [], []
    with path.open(encoding="utf-8") as f:
        for line in f:
            raw = json.loads(line)
            groups.append(Group(id=raw["id"], feats=raw["feats"], gold=raw["gold"]))
            heuristic.append(raw["heuristic"])
    return groups, heuristic


def collect_leads(pipeline: Any, questions: Sequence[QuestionItem], *,
                  progress: Callable[[int, int], None] | None = None) -> list[Group]:
    """For the open (what/how/why/list) questions: every long candidate sentence that holds a gold
    answer, its clauses' features (rag/answer/lead.py), each labelled by whether the lead window
    that starts at it holds the gold."""
    groups = []
    for item, q, cands in _read(pipeline, questions, progress):
        if q.qtype in TYPED or q.needs_name:
            continue
        for c in cands:
            if not answer_correct(c.sentence, item.answers, item.answers_all):
                continue
            clauses, feats = sentence_clauses(q, c.sentence)
            if clauses:
                gold = [answer_correct(lead_window(clauses, j), item.answers, item.answers_all)
                        for j in range(len(clauses))]
                groups.append(Group(id=item.id, feats=feats, gold=gold))
    return groups


def collect_spans(pipeline: Any, questions: Sequence[QuestionItem], *,
                  progress: Callable[[int, int], None] | None = None) -> list[Group]:
    """For the typed questions: every candidate sentence that holds a gold answer and more than one
    span of the asked-for kind, its spans' features (rag/answer/span.py), each labelled by whether
    it states a gold answer (else, when none does, whether it is part of one: '37' of '37架')."""
    reader = pipeline.chain.extractive
    groups = []
    for item, q, cands in _read(pipeline, questions, progress):
        if not (q.qtype in TYPED or q.needs_name):
            continue
        for c in cands:
            if not answer_correct(c.sentence, item.answers, item.answers_all):
                continue
            spans = reader.spans(q, c.sentence)
            if spans is None or len(spans.facts) < 2:
                continue
            texts = [whole_quantity(q, c.sentence, f).text if q.qtype == "number" else f.text for f in spans.facts]
            gold = [answer_correct(t, item.answers, item.answers_all) for t in texts]
            if not any(gold):
                golds = [normalize_answer(a) for a in (*item.answers, *item.answers_all)]
                gold = [any(contains_normalized(g, normalize_answer(t)) for g in golds) for t in texts]
            feats = span_features(q, c.sentence, spans.facts, spans.rule, spans.fits)
            groups.append(Group(id=item.id, feats=feats, gold=gold))
    return groups
