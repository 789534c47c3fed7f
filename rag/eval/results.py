"""Per-question results and the aggregate report structure, built from pipeline outputs.

How a runner uses this module (the runner itself lives elsewhere and owns all I/O)::

    items = load_questions("eval/questions.jsonl")
    rows = []
    for item in items:
        t0 = time.perf_counter()
        answer = pipeline.ask(item.question, history=item.history)   # -> rag.records.Answer
        hits = ...                                                    # the Hit list it answered from
        ms = (time.perf_counter() - t0) * 1000
        rows.append(score_question(item, answer, hits, ms))
        # on a pipeline error: rows.append(error_result(item, str(exc), ms))
    report = build_report(rows, meta={"model": ..., "top_k": ...}, created=timestamp)
    Path("reports/eval.json").write_text(report.model_dump_json(indent=2))
    Path("reports/eval.md").write_text(render_markdown(report))      # rag.eval.report
    Path("reports/eval.html").write_text(render_html(report))

Everything here is pure: no clock, no files, no pipeline import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rag.eval.metrics import (
    abstention_scores,
    answer_correct,
    citation_holds,
    citation_precision,
    false_refusal_rate,
    mrr,
    percentile,
    recall_at_k,
    retrieval_ranks,
)
from rag.eval.questions import QuestionItem
from rag.records import Answer, Hit

MetaValue = str | int | float | bool | None
DIRECT_CHARS = 40
"""An answer is *direct* when a gold answer lies within its first this many characters."""
_MARKER = re.compile(r"\[\d+\]")


def plain_answer(text: str) -> str:
    """The answer text without its [n] citation markers."""
    return _MARKER.sub("", text).strip()


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RetrievedRef(_Frozen):
    """One retrieved paragraph, as shown in failure listings."""

    paragraph_id: str
    article_title: str
    score: float
    holds_evidence: bool = False


class QuestionResult(_Frozen):
    """The outcome of one question: answer, correctness, retrieval rank, citations, latency."""

    id: str
    type: str
    question: str
    answer: str = ""
    correct: bool = Field(description="Answered right, or abstained on an unanswerable question.")
    abstained: bool = False
    unanswerable: bool = False
    gold_rank: int | None = Field(
        None, description="1-based rank of the first gold paragraph: one holding the evidence, "
        "else one of a gold doc, else one holding a gold answer.")
    answer_rank: int | None = Field(
        None, description="1-based rank of the first retrieved paragraph holding a gold answer.")
    direct: bool | None = Field(
        None, description=f"A gold answer within the first {DIRECT_CHARS} characters, markers "
        "removed (answerable only).")
    answer_chars: int = Field(0, description="Length of the answer, markers removed.")
    citation_ok: bool | None = Field(
        None, description="A citation holds evidence (answered, answerable only)."
    )
    citation_precision: float | None = None
    latency_ms: float = 0.0
    retrieved: tuple[RetrievedRef, ...] = ()
    cited_paragraph_ids: tuple[str, ...] = ()
    error: str | None = Field(
        None, description="Set when the pipeline raised instead of answering."
    )
    extras: dict[str, Any] = Field(
        default_factory=dict, description="Fields of the question line we do not model, passed through."
    )


class EvalMetrics(_Frozen):
    """Aggregate metrics over a set of results (overall, or one question type)."""

    n: int
    n_answerable: int
    n_unanswerable: int
    accuracy: float = Field(description="Share of all questions scored correct.")
    answer_accuracy: float = Field(description="Share of answerable questions answered right.")
    recall_at_1: float
    recall_at_3: float
    recall_at_5: float
    mrr: float
    answer_recall_at_5: float = Field(
        0.0, description="Share of answerable questions with a gold answer in the top 5 paragraphs.")
    direct_rate: float = Field(
        0.0, description=f"Share of answerable questions answered right within the first "
        f"{DIRECT_CHARS} characters.")
    answer_chars_mean: float = Field(0.0, description="Mean answer length over answered questions.")
    citation_ok_rate: float = Field(description="Among answered answerable questions.")
    citation_precision: float = Field(description="Mean over answered answerable questions.")
    abstention_precision: float
    abstention_recall: float
    false_refusal_rate: float
    errors: int = 0
    latency_p50_ms: float
    latency_p95_ms: float
    latency_mean_ms: float


class EvalReport(_Frozen):
    """A whole evaluation run: metadata, overall and per-type metrics, and every row."""

    created: str = Field("", description="Timestamp supplied by the runner.")
    meta: dict[str, MetaValue] = Field(default_factory=dict, description="Settings of the run.")
    overall: EvalMetrics
    by_type: dict[str, EvalMetrics]
    rows: tuple[QuestionResult, ...]


def score_question(
    item: QuestionItem, answer: Answer, hits: Sequence[Hit], latency_ms: float
) -> QuestionResult:
    """Score one pipeline answer (and the hits it was given) against the gold item."""
    hit_texts = [h.paragraph.text for h in hits]
    retrieved = tuple(
        RetrievedRef(
            paragraph_id=h.paragraph.paragraph_id,
            article_title=h.paragraph.article_title,
            score=h.score,
            holds_evidence=citation_holds(h.paragraph.text, item.evidence),
        )
        for h in hits
    )
    cite_texts = [f"{c.text}\n{c.quote}" for c in answer.citations]
    plain = plain_answer(answer.answer)
    answered = not answer.abstained and not item.unanswerable
    if item.unanswerable:
        correct = answer.abstained
    else:
        correct = not answer.abstained and answer_correct(
            answer.answer, item.answers, item.answers_all
        )
    return QuestionResult(
        id=item.id,
        type=item.type,
        question=item.question,
        answer=answer.answer,
        correct=correct,
        abstained=answer.abstained,
        unanswerable=item.unanswerable,
        gold_rank=_gold_rank(item, hits, hit_texts),
        answer_rank=_answer_rank(item, hit_texts),
        direct=(correct and answer_correct(plain[:DIRECT_CHARS], item.answers, item.answers_all))
        if not item.unanswerable else None,
        answer_chars=0 if answer.abstained else len(plain),
        citation_ok=any(citation_holds(t, item.evidence) for t in cite_texts) if answered else None,
        citation_precision=(
            citation_precision(cite_texts, item.evidence, (*item.answers, *item.answers_all))
            if answered
            else None
        ),
        latency_ms=latency_ms,
        retrieved=retrieved,
        cited_paragraph_ids=tuple(c.paragraph_id for c in answer.citations),
        extras=item.extras,
    )


def _gold_rank(item: QuestionItem, hits: Sequence[Hit], hit_texts: Sequence[str]) -> int | None:
    if item.unanswerable:
        return None
    if item.evidence:
        return retrieval_ranks(hit_texts, item.evidence)
    if item.gold_docs:
        gold = set(item.gold_docs)
        return next((r for r, h in enumerate(hits, start=1) if h.paragraph.article_id in gold), None)
    return _answer_rank(item, hit_texts)


def _answer_rank(item: QuestionItem, hit_texts: Sequence[str]) -> int | None:
    if item.unanswerable:
        return None
    return next((r for r, t in enumerate(hit_texts, start=1)
                 if answer_correct(t, item.answers, item.answers_all)), None)


def error_result(item: QuestionItem, message: str, latency_ms: float = 0.0) -> QuestionResult:
    """A row for a question on which the pipeline raised: counted wrong, not abstained."""
    return QuestionResult(
        id=item.id,
        type=item.type,
        question=item.question,
        correct=False,
        unanswerable=item.unanswerable,
        latency_ms=latency_ms,
        error=message,
        extras=item.extras,
    )


def summarize(rows: Sequence[QuestionResult]) -> EvalMetrics:
    """Aggregate metrics of a set of rows (empty sets give zeros, never NaN)."""
    answerable = [r for r in rows if not r.unanswerable]
    ranks = [r.gold_rank for r in answerable]
    answered = [r for r in answerable if r.citation_ok is not None]
    precisions = [r.citation_precision for r in answered if r.citation_precision is not None]
    abstained = [r.abstained for r in rows]
    unanswerable = [r.unanswerable for r in rows]
    abst_p, abst_r = abstention_scores(abstained, unanswerable)
    latencies = [r.latency_ms for r in rows]
    return EvalMetrics(
        n=len(rows),
        n_answerable=len(answerable),
        n_unanswerable=len(rows) - len(answerable),
        accuracy=_share(r.correct for r in rows),
        answer_accuracy=_share(r.correct for r in answerable),
        recall_at_1=recall_at_k(ranks, 1),
        recall_at_3=recall_at_k(ranks, 3),
        recall_at_5=recall_at_k(ranks, 5),
        mrr=mrr(ranks),
        answer_recall_at_5=recall_at_k([r.answer_rank for r in answerable], 5),
        direct_rate=_share(bool(r.direct) for r in answerable),
        answer_chars_mean=(sum(r.answer_chars for r in rows if not r.abstained and r.error is None)
                           / max(1, sum(1 for r in rows if not r.abstained and r.error is None))),
        citation_ok_rate=_share(bool(r.citation_ok) for r in answered),
        citation_precision=sum(precisions) / len(precisions) if precisions else 0.0,
        abstention_precision=abst_p,
        abstention_recall=abst_r,
        false_refusal_rate=false_refusal_rate(abstained, unanswerable),
        errors=sum(1 for r in rows if r.error is not None),
        latency_p50_ms=percentile(latencies, 50) if latencies else 0.0,
        latency_p95_ms=percentile(latencies, 95) if latencies else 0.0,
        latency_mean_ms=sum(latencies) / len(latencies) if latencies else 0.0,
    )


def build_report(
    rows: Sequence[QuestionResult],
    *,
    meta: Mapping[str, MetaValue] | None = None,
    created: str = "",
) -> EvalReport:
    """Assemble the report: overall metrics, metrics per question type, and the rows."""
    types = sorted({r.type for r in rows})
    return EvalReport(
        created=created,
        meta=dict(meta or {}),
        overall=summarize(rows),
        by_type={t: summarize([r for r in rows if r.type == t]) for t in types},
        rows=tuple(rows),
    )


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(1 for v in values if v) / len(values) if values else 0.0
