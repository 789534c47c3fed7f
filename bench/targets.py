"""Issue 8's targets checked against one benchmark report: each target, the figure measured in
that run, and whether it is met (None when the run did not measure it, say at another size)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

FULL_SIZE = 68_218


@dataclass(frozen=True)
class Target:
    """One target line: `measured` is None when this run has no such figure."""

    name: str
    goal: str
    measured: float | None
    unit: str
    met: bool | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able."""
        return asdict(self)


def _get(d: Any, *path: str) -> float | None:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return float(d) if isinstance(d, (int, float)) and not isinstance(d, bool) else None


def _workload(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next((w for w in report.get("workloads", []) if w.get("name") == name), {})


def _line(name: str, goal: str, value: float | None, unit: str,
          ok: Callable[[float], bool]) -> Target:
    return Target(name, goal, None if value is None else round(value, 3), unit,
                  None if value is None else bool(ok(value)))


def check_targets(report: dict[str, Any]) -> list[Target]:
    """Every target of issue 8 that a `rag bench` report can show, in the issue's order."""
    bundled = _workload(report, "bundled")
    full = _workload(report, f"jsonl-{FULL_SIZE}")
    q, fq = bundled.get("ours", {}).get("query", {}), full.get("ours", {}).get("query", {})
    dense = [r for w in report.get("workloads", [])
             if (r := _get(w, "ratios", "langchain", "dense_chunks_per_s")) is not None]
    return [
        _line("search p95, bundled corpus", "≤ 30", _get(q, "search_ms", "p95"), "ms",
              lambda v: v <= 30),
        _line("ask p95, bundled corpus", "≤ 150", _get(q, "ask_ms", "p95"), "ms",
              lambda v: v <= 150),
        _line("ask p95, 68k reports", "≤ 250", _get(fq, "ask_ms", "p95"), "ms",
              lambda v: v <= 250),
        _line("ask beyond query embedding p95, 68k reports", "≤ 30",
              _get(fq, "ask_beyond_embed_ms", "p95"), "ms", lambda v: v <= 30),
        _line("no-change re-index of the bundled corpus (`rag index`, whole command)", "≤ 2",
              _get(bundled, "ours", "reindex_unchanged_s"), "s", lambda v: v <= 2),
        _line("keyword index over 68k reports", "≤ 120", _get(full, "ours", "build", "keyword_s"),
              "s", lambda v: v <= 120),
        _line("dense chunks/s vs naive fp32 `model.encode` (LangChain stack), worst workload",
              "≥ 2", min(dense) if dense else None, "×", lambda v: v >= 2),
        *_accuracy_lines(report),
    ]


def _accuracy_lines(report: dict[str, Any]) -> list[Target]:
    """ask accuracy and ask p50 against the stock LangChain retrieval, per workload with gold."""
    out: list[Target] = []
    scored = [w for w in report.get("workloads", []) if w.get("accuracy")] or [{"name": "bundled"}]
    for w in scored:
        ours = _get(w, "accuracy", "ours", "accuracy")
        base = _get(w, "accuracy", "langchain", "accuracy")
        out += [
            _line(f"ask accuracy, ours / stock LangChain retrieval (same reader), {w['name']}", "≥ 1",
                  None if ours is None or not base else ours / base, "×", lambda v: v >= 1),
            _line(f"ask p50, ours / stock LangChain retrieval, {w['name']}", "< 1",
                  _get(w, "ratios", "langchain", "ask_p50"), "×", lambda v: v < 1),
        ]
    return out


def render_targets(targets: list[Target]) -> list[str]:
    """The targets as Markdown table lines."""
    out = ["### Targets (issue 8), from this run", "", "| target | goal | measured | met |",
           "|---|---|---|---|"]
    for t in targets:
        measured = "not measured in this run" if t.measured is None else f"{t.measured:,g} {t.unit}"
        met = "-" if t.met is None else ("yes" if t.met else "**no**")
        out.append(f"| {t.name} | {t.goal} {t.unit} | {measured} | {met} |")
    return out
