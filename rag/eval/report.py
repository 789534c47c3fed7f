"""Render an EvalReport as Markdown or as one self-contained HTML page (inline SVG, no JS/CDN).

Both functions are pure (report in, string out); the runner decides where to write them.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from rag.eval.results import EvalMetrics, EvalReport, QuestionResult

_METRIC_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    # (field, header, is a share shown as %)
    ("n", "n", False),
    ("accuracy", "acc", True),
    ("answer_accuracy", "ans acc", True),
    ("direct_rate", "direct", True),
    ("answer_chars_mean", "chars", False),
    ("recall_at_1", "R@1", True),
    ("recall_at_5", "R@5", True),
    ("mrr", "MRR", False),
    ("answer_recall_at_5", "ans@5", True),
    ("citation_ok_rate", "cite ok", True),
    ("citation_precision", "cite P", True),
    ("abstention_precision", "abst P", True),
    ("abstention_recall", "abst R", True),
    ("false_refusal_rate", "false ref", True),
    ("latency_p50_ms", "p50 ms", False),
    ("latency_p95_ms", "p95 ms", False),
)
_RANK_BUCKETS = ("1", "2", "3", "4", "5", "6-10", ">10/none")


def _fmt(value: float | int, pct: bool) -> str:
    if isinstance(value, int):
        return str(value)
    return f"{value * 100:.1f}%" if pct else f"{value:.3f}" if value < 10 else f"{value:.0f}"


# metrics that are vacuous (not zero) when a group has no answerable / no unanswerable questions
_NEEDS_ANSWERABLE = frozenset(
    {
        "answer_accuracy",
        "direct_rate",
        "answer_recall_at_5",
        "recall_at_1",
        "recall_at_5",
        "mrr",
        "citation_ok_rate",
        "citation_precision",
        "false_refusal_rate",
    }
)


def _metric_cells(m: EvalMetrics) -> list[str]:
    cells = []
    for field, _, pct in _METRIC_COLUMNS:
        vacuous = (field in _NEEDS_ANSWERABLE and m.n_answerable == 0) or (
            field == "abstention_recall" and m.n_unanswerable == 0
        )
        cells.append("—" if vacuous else _fmt(getattr(m, field), pct))
    return cells


def metrics_table_rows(report: EvalReport) -> list[tuple[str, list[str]]]:
    """(label, formatted cells) for the overall row followed by one row per question type."""
    rows = [("overall", _metric_cells(report.overall))]
    rows += [(t, _metric_cells(m)) for t, m in report.by_type.items()]
    return rows


def failing_rows(report: EvalReport) -> list[QuestionResult]:
    """The rows scored wrong, in question order."""
    return [r for r in report.rows if not r.correct]


def rank_distribution(rows: Sequence[QuestionResult]) -> dict[str, int]:
    """Counts of the gold paragraph's rank over answerable rows, in fixed buckets."""
    counts = dict.fromkeys(_RANK_BUCKETS, 0)
    for r in rows:
        if r.unanswerable:
            continue
        rank = r.gold_rank
        key = ">10/none" if rank is None or rank > 10 else "6-10" if rank > 5 else str(rank)
        counts[key] += 1
    return counts


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _why(r: QuestionResult) -> str:
    if r.error:
        return f"error: {r.error}"
    if r.unanswerable:
        return "answered an unanswerable question"
    if r.abstained:
        return "abstained" + ("" if r.gold_rank else " (gold not retrieved)")
    return "wrong answer" + ("" if r.gold_rank else " (gold not retrieved)")


def render_markdown(report: EvalReport, *, max_failures: int = 100, answer_chars: int = 120) -> str:
    """The report as Markdown: run metadata, metrics overall and by type, failing questions."""
    lines = ["# Evaluation report", ""]
    if report.created:
        lines.append(f"Run: {report.created}")
    for key, value in report.meta.items():
        lines.append(f"- {key}: `{value}`")
    lines += ["", "## Metrics", ""]
    lines.append("| type | " + " | ".join(h for _, h, _ in _METRIC_COLUMNS) + " |")
    lines.append("|---" * (len(_METRIC_COLUMNS) + 1) + "|")
    for label, cells in metrics_table_rows(report):
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    fails = failing_rows(report)
    lines += ["", f"## Failing questions ({len(fails)} of {len(report.rows)})", ""]
    for r in fails[:max_failures]:
        answer = _md_escape(r.answer[:answer_chars]) + ("…" if len(r.answer) > answer_chars else "")
        lines.append(f"- **{r.id}** [{r.type}] {_md_escape(r.question)} — {_why(r)}")
        lines.append(f"  - answer: {answer or '—'}")
        retrieved = ", ".join(
            f"{'**' if h.holds_evidence else ''}{h.paragraph_id}{'**' if h.holds_evidence else ''}"
            for h in r.retrieved
        )
        lines.append(f"  - gold rank: {r.gold_rank or '—'}; retrieved: {retrieved or '—'}")
    if len(fails) > max_failures:
        lines.append(f"- … {len(fails) - max_failures} more")
    return "\n".join(lines) + "\n"


def svg_bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    max_value: float | None = None,
    pct: bool = False,
    width: int = 560,
    bar_h: int = 18,
) -> str:
    """A horizontal bar chart as an inline SVG string."""
    top = max_value if max_value is not None else max((v for _, v in items), default=0.0) or 1.0
    label_w, pad = 110, 26
    height = pad + len(items) * (bar_h + 6) + 8
    plot_w = width - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="4" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = pad + i * (bar_h + 6)
        w = max(0.0, min(1.0, value / top)) * plot_w
        shown = f"{value * 100:.0f}%" if pct else f"{value:g}"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 5}" font-size="12" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#4878a8"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 5}" font-size="12">{shown}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def latency_histogram(latencies: Sequence[float], bins: int = 10) -> list[tuple[str, float]]:
    """Equal-width latency bins as (label, count) pairs."""
    if not latencies:
        return []
    lo, hi = min(latencies), max(latencies)
    step = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for v in latencies:
        counts[min(int((v - lo) / step), bins - 1)] += 1
    return [
        (f"{lo + i * step:.0f}–{lo + (i + 1) * step:.0f}ms", float(c)) for i, c in enumerate(counts)
    ]


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = (
    "body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2em;max-width:1100px}"
    "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}"
    "td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1em}"
    ".fail td{text-align:left;vertical-align:top}"
)


def render_html(report: EvalReport, *, max_failures: int = 200) -> str:
    """The report as one self-contained HTML page with inline SVG charts."""
    metrics = metrics_table_rows(report)
    accuracy = [(t, m.accuracy) for t, m in report.by_type.items()]
    charts = [
        svg_bar_chart(accuracy, title="Accuracy by question type", max_value=1.0, pct=True),
        svg_bar_chart(
            latency_histogram([r.latency_ms for r in report.rows]), title="Latency histogram"
        ),
        svg_bar_chart(list(rank_distribution(report.rows).items()), title="Gold paragraph rank"),
    ]
    fails = failing_rows(report)
    fail_rows = [
        (
            r.id,
            r.type,
            r.question,
            _why(r),
            r.answer[:200],
            str(r.gold_rank or "—"),
            ", ".join(h.paragraph_id for h in r.retrieved),
        )
        for r in fails[:max_failures]
    ]
    meta = "".join(
        f"<li>{escape(k)}: <code>{escape(str(v))}</code></li>" for k, v in report.meta.items()
    )
    return (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>Evaluation report</title><style>{_CSS}</style></head><body>"
        f"<h1>Evaluation report</h1><p>{escape(report.created)}</p><ul>{meta}</ul>"
        "<h2>Metrics</h2>"
        + _html_table(
            ["type", *(h for _, h, _ in _METRIC_COLUMNS)], [[lbl, *c] for lbl, c in metrics]
        )
        + f'<div class="charts">{"".join(charts)}</div>'
        + f'<h2>Failing questions ({len(fails)} of {len(report.rows)})</h2><div class="fail">'
        + _html_table(
            ["id", "type", "question", "why", "answer", "gold rank", "retrieved"], fail_rows
        )
        + "</div></body></html>\n"
    )
