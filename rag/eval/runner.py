"""Run a question set through the pipeline, score it, compare setups and check the agreed floors.

The runner owns the clock and the pipeline calls; scoring and aggregation are the pure functions
of rag.eval.results, rendering those of rag.eval.report and rag.eval.compare.

Per question: `pipeline.ask(question, history, mode=answer_mode)` is timed (the latency reported
is the answer's end-to-end time); then `pipeline.search(standalone question, k=10, mode=...)`
gives the ranking the retrieval metrics are computed on. The chain answers from the top
`retrieval.top_k` of that same ranking, so R@5 is about what the answerer saw.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext, suppress
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from rag.config import Settings
from rag.errors import ConfigError, RagError
from rag.eval.compare import CompareReport, render_compare_markdown
from rag.eval.memo import QueryMemo
from rag.eval.questions import QuestionItem
from rag.eval.report import render_html, render_markdown
from rag.eval.results import EvalMetrics, EvalReport, QuestionResult, build_report, error_result
from rag.eval.results import score_question as _score
from rag.records import Answer, Hit, Turn

RETRIEVAL_K = 10
RetrievalMode = Literal["hybrid", "dense", "keyword"]
AnswerMode = Literal["extractive", "llm", "local", "auto"]
Progress = Callable[[int, int, QuestionResult], None]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Floor(_Frozen):
    """A quality bar the bundled eval must clear (CI and `rag eval --check-floors`)."""

    metric: str = Field(description="A field of EvalMetrics.")
    bound: float
    kind: Literal["min", "max"] = "min"
    description: str = ""

    def holds(self, metrics: EvalMetrics) -> bool:
        """Whether the metric is on the right side of the bound."""
        value = float(getattr(metrics, self.metric))
        return value >= self.bound if self.kind == "min" else value <= self.bound


class FloorCheck(_Frozen):
    """One floor with the measured value."""

    floor: Floor
    value: float
    ok: bool


# Issue 5's targets for the offline default on the bundled corpus. Reported by every run.
TARGETS: tuple[Floor, ...] = (
    Floor(metric="answer_accuracy", bound=0.90, description="answerable questions answered right"),
    Floor(metric="citation_ok_rate", bound=0.95,
          description="answered answerable questions with a citation holding the gold evidence"),
    Floor(metric="abstention_recall", bound=0.90, description="unanswerable questions refused"),
    Floor(metric="false_refusal_rate", bound=0.05, kind="max",
          description="answerable questions refused"),
    Floor(metric="recall_at_5", bound=0.98, description="gold paragraph in the top 5 (hybrid)"),
)

# What CI enforces: the targets, with slack on one. On this machine `rag eval` measures accuracy
# 0.930 and gold citations 0.959 (164 of 171, one question above the 0.95 target); CI's floor for
# citations is 0.94 (161 of 171) because embeddings differ in the last bits between CPUs and a
# tie may flip. Never lower these to make a change pass.
_GUARD = {"citation_ok_rate": 0.94}
FLOORS: tuple[Floor, ...] = tuple(
    t.model_copy(update={"bound": _GUARD[t.metric]}) if t.metric in _GUARD else t for t in TARGETS
)


def check_floors(metrics: EvalMetrics, floors: Sequence[Floor] = FLOORS) -> tuple[FloorCheck, ...]:
    """Every floor with its measured value and whether it holds."""
    return tuple(
        FloorCheck(floor=f, value=float(getattr(metrics, f.metric)), ok=f.holds(metrics))
        for f in floors
    )


class EvalPipeline(Protocol):
    """What the runner needs from rag.pipeline.Pipeline (tests pass a fake)."""

    def ask(self, question: str, history: Sequence[Turn] = (), top_k: int | None = None,
            mode: str | None = None) -> Answer: ...

    def search(self, query: str, k: int = 5, mode: str | None = None) -> list[Hit]: ...


class Setup(_Frozen):
    """One column of a comparison: a retrieval mode and an answer mode."""

    name: str
    retrieval: RetrievalMode
    answer: AnswerMode = "extractive"


def make_setup(retrieval: str, answer: str = "extractive") -> Setup:
    """A setup named 'hybrid', 'dense', 'keyword' or, for the LLM answerer, 'hybrid+llm'."""
    name = retrieval if answer == "extractive" else f"{retrieval}+{answer}"
    return Setup.model_validate({"name": name, "retrieval": retrieval, "answer": answer})


def default_setups(settings: Settings) -> tuple[Setup, ...]:
    """BM25-only, dense-only and hybrid (extractive); plus hybrid+LLM when an endpoint is set."""
    setups = [make_setup("keyword"), make_setup("dense"), make_setup("hybrid")]
    if settings.answer.llm_base_url:
        setups.append(make_setup("hybrid", "llm"))
    return tuple(setups)


def history_of(item: QuestionItem) -> list[Turn]:
    """The item's earlier turns, as the pipeline takes them."""
    return list(item.history)


def evaluate_item(pipeline: EvalPipeline, item: QuestionItem, *, answer_mode: str | None = None,
                  retrieval_mode: str | None = None, k: int = RETRIEVAL_K,
                  clock: Callable[[], float] = time.perf_counter,
                  memo: QueryMemo | None = None) -> QuestionResult:
    """Ask one question, time it, retrieve for the question the chain used, and score it.

    `memo` (the pipeline's embedder wrapped in a QueryMemo) spares embedding the query twice.
    """
    if memo is not None:
        memo.forget()
    t0 = clock()
    try:
        answer = pipeline.ask(item.question, history=history_of(item), top_k=None,
                              mode=answer_mode)
    except RagError as exc:
        return error_result(item, f"{exc.code}: {exc.message}", (clock() - t0) * 1000)
    latency_ms = (clock() - t0) * 1000
    query = answer.standalone_question.strip() or item.question
    try:
        with memo.replay() if memo is not None else nullcontext():
            hits = pipeline.search(query, k=k, mode=retrieval_mode)
    except RagError:
        hits = []  # the answer is still scored; retrieval counts as a miss
    return _score(item, answer, hits, latency_ms)


def run_questions(pipeline: EvalPipeline, items: Sequence[QuestionItem], *,
                  answer_mode: str | None = None, retrieval_mode: str | None = None,
                  k: int = RETRIEVAL_K, clock: Callable[[], float] = time.perf_counter,
                  progress: Progress | None = None,
                  memo: QueryMemo | None = None) -> list[QuestionResult]:
    """Every question's scored result, in question order."""
    rows: list[QuestionResult] = []
    for i, item in enumerate(items, start=1):
        row = evaluate_item(pipeline, item, answer_mode=answer_mode,
                            retrieval_mode=retrieval_mode, k=k, clock=clock, memo=memo)
        rows.append(row)
        if progress is not None:
            progress(i, len(items), row)
    return rows


def run_meta(settings: Settings, setup: Setup, questions: str, n: int) -> dict[str, Any]:
    """The settings a run depends on, for the report header."""
    meta: dict[str, Any] = {
        "questions": questions, "n_questions": n, "corpus_dir": str(settings.corpus_dir),
        "index_dir": str(settings.index_dir), "model": settings.model.name,
        "retrieval_mode": setup.retrieval, "answer_mode": setup.answer,
        "top_k": settings.retrieval.top_k, "retrieval_k": RETRIEVAL_K,
    }
    if setup.answer == "llm":
        meta["llm_model"] = settings.answer.llm_model
    return meta


def settings_for(settings: Settings, setup: Setup) -> Settings:
    """A copy of the settings with the setup's retrieval and answer modes."""
    return settings.model_copy(update={
        "retrieval": settings.retrieval.model_copy(update={"mode": setup.retrieval}),
        "answer": settings.answer.model_copy(update={"mode": setup.answer}),
    })


def pipeline_for(pipeline: Any, setup: Setup) -> EvalPipeline:
    """The pipeline itself when its settings already match the setup, else a sibling over the
    same loaded index and embedder (Pipeline.with_settings), so the mode reaches the chain too."""
    settings: Settings = pipeline.settings
    if settings.retrieval.mode == setup.retrieval and settings.answer.mode == setup.answer:
        return pipeline  # type: ignore[no-any-return]
    return pipeline.with_settings(settings_for(settings, setup))  # type: ignore[no-any-return]


def check_setup(settings: Settings, setup: Setup) -> None:
    """Refuse an LLM setup without an endpoint before any question is asked."""
    if setup.answer == "llm" and not settings.answer.llm_base_url:
        raise ConfigError("the LLM answer mode needs an OpenAI-compatible endpoint",
                          hint="set RAG_ANSWER__LLM_BASE_URL (and RAG_ANSWER__LLM_MODEL)")


def evaluate(pipeline: Any, items: Sequence[QuestionItem], setup: Setup, *, questions: str = "",
             created: str = "", clock: Callable[[], float] = time.perf_counter,
             progress: Progress | None = None, memo: QueryMemo | None = None,
             warmup: bool = True) -> EvalReport:
    """One setup over the question set -> EvalReport (after one untimed warm-up question)."""
    check_setup(pipeline.settings, setup)
    target = pipeline_for(pipeline, setup)
    if warmup and items:
        _warm_up(target, items[0], setup)
    rows = run_questions(target, items, answer_mode=setup.answer, retrieval_mode=setup.retrieval,
                         clock=clock, progress=progress, memo=memo)
    meta = run_meta(pipeline.settings, setup, questions, len(items))
    return build_report(rows, meta=meta, created=created)


def _warm_up(pipeline: EvalPipeline, item: QuestionItem, setup: Setup) -> None:
    """One untimed question, so lazy loading (jieba, a new chain) is not counted as latency."""
    with suppress(RagError):  # the timed run records the error
        pipeline.ask(item.question, history=history_of(item), mode=setup.answer)


def compare(pipeline: Any, items: Sequence[QuestionItem], setups: Sequence[Setup], *,
            questions: str = "", created: str = "", clock: Callable[[], float] = time.perf_counter,
            progress: Callable[[Setup], Progress | None] | None = None,
            memo: QueryMemo | None = None) -> CompareReport:
    """Every setup over the same questions, side by side."""
    for setup in setups:
        check_setup(pipeline.settings, setup)
    reports = {
        s.name: evaluate(pipeline, items, s, questions=questions, created=created, clock=clock,
                         progress=progress(s) if progress else None, memo=memo)
        for s in setups
    }
    return CompareReport(created=created, setups=tuple(s.name for s in setups), reports=reports)


def write_reports(directory: Path, report: EvalReport,
                  comparison: CompareReport | None = None) -> list[Path]:
    """report.md, report.html and report.json (plus compare.md/.json); returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "report.md": render_markdown(report),
        "report.html": render_html(report),
        "report.json": report.model_dump_json(indent=2) + "\n",
    }
    if comparison is not None:
        files["compare.md"] = render_compare_markdown(comparison)
        files["compare.json"] = comparison.model_dump_json(indent=2) + "\n"
    written = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
