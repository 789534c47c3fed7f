"""Several eval runs side by side (BM25-only, dense-only, hybrid, LLM): one table, rows = metrics.

Pure: a CompareReport in, Markdown out; the runner produces the reports.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, computed_field

from rag.eval.results import EvalMetrics, EvalReport

# (EvalMetrics field, label, shown as a percentage)
COMPARE_ROWS: tuple[tuple[str, str, bool], ...] = (
    ("answer_accuracy", "answer accuracy", True),
    ("direct_rate", "direct (gold in the first 40 characters)", True),
    ("answer_chars_mean", "answer length (characters)", False),
    ("accuracy", "accuracy (all, abstention counts on unanswerable)", True),
    ("citation_ok_rate", "citation accuracy", True),
    ("citation_precision", "citation precision", True),
    ("recall_at_1", "recall@1", True),
    ("recall_at_3", "recall@3", True),
    ("recall_at_5", "recall@5", True),
    ("mrr", "MRR", False),
    ("answer_recall_at_5", "a gold answer in the top 5 paragraphs", True),
    ("abstention_precision", "abstention precision", True),
    ("abstention_recall", "abstention recall", True),
    ("false_refusal_rate", "false refusal rate", True),
    ("errors", "errors", False),
    ("latency_p50_ms", "latency p50 (ms)", False),
    ("latency_p95_ms", "latency p95 (ms)", False),
)


class CompareReport(BaseModel):
    """Eval reports of several setups over the same questions, in column order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    created: str = ""
    setups: tuple[str, ...] = Field(description="Column order.")
    reports: dict[str, EvalReport]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def best_of_answer_accuracy(self) -> float | None:
        """See best_of: the ceiling of a router between the setups (in compare.json too)."""
        ceiling = best_of(self)
        return None if ceiling is None else round(ceiling[0], 4)


def best_of(report: CompareReport) -> tuple[float, int] | None:
    """Answer accuracy had each answerable question taken the answer of a setup that got it right
    (the ceiling of any router between these setups), with the number of answerable questions.
    None with fewer than two setups or no answerable question."""
    if len(report.setups) < 2:
        return None
    right: dict[str, bool] = {}
    for name in report.setups:
        for row in report.reports[name].rows:
            if not row.unanswerable:
                right[row.id] = right.get(row.id, False) or (row.correct and not row.error)
    if not right:
        return None
    return sum(right.values()) / len(right), len(right)


def _cell(m: EvalMetrics, field: str, pct: bool) -> str:
    value = getattr(m, field)
    if isinstance(value, int):
        return str(value)
    if pct:
        return f"{value * 100:.1f}%"
    return f"{value:.3f}" if value < 10 else f"{value:.0f}"


def compare_rows(report: CompareReport) -> list[tuple[str, list[str]]]:
    """(label, one cell per setup): overall metrics, then accuracy per question type."""
    overall = [report.reports[s].overall for s in report.setups]
    rows = [(label, [_cell(m, field, pct) for m in overall]) for field, label, pct in COMPARE_ROWS]
    types = sorted({t for s in report.setups for t in report.reports[s].by_type})
    for t in types:
        cells = []
        for s in report.setups:
            m = report.reports[s].by_type.get(t)
            cells.append("—" if m is None else f"{m.accuracy * 100:.1f}% (n={m.n})")
        rows.append((f"accuracy · {t}", cells))
    return rows


def render_compare_markdown(report: CompareReport) -> str:
    """One Markdown table: rows = metrics, columns = setups."""
    lines = ["# Evaluation: setups compared", ""]
    if report.created:
        lines += [f"Run: {report.created}", ""]
    if report.setups:
        meta = report.reports[report.setups[0]].meta
        for key in ("questions", "n_questions", "corpus_dir", "model", "top_k"):
            if key in meta:
                lines.append(f"- {key}: `{meta[key]}`")
        lines.append("")
    lines.append("| metric | " + " | ".join(report.setups) + " |")
    lines.append("|---" * (len(report.setups) + 1) + "|")
    for label, cells in compare_rows(report):
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    ceiling = best_of(report)
    if ceiling is not None:
        value, n = ceiling
        lines += ["", f"Best of the columns per question (answerable, n={n}): answer accuracy "
                  f"{value * 100:.1f}%: the most any router between these setups can reach."]
    return "\n".join(lines) + "\n"
