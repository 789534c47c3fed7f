"""A plain-text summary of an ingest run, for the CLI to print."""

from __future__ import annotations

from rag.ingest.result import IngestResult

MAX_PROBLEMS_SHOWN = 20


def format_summary(result: IngestResult) -> str:
    """Counts, every skipped file with its reason, and the first problems found."""
    s = result.stats
    rows = [
        ("files read", s.files_read),
        ("files skipped", len(result.skipped)),
        ("articles", s.articles),
        ("paragraphs", s.paragraphs),
        ("captions", s.captions),
        ("rejoined breaks", s.rejoined_breaks),
        ("duplicates dropped", s.duplicates_dropped),
        ("problems", len(result.problems)),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value:>9,}" for label, value in rows]
    if result.skipped:
        lines += ["", "skipped files:"] + [f"  {f.path}: {f.reason}" for f in result.skipped]
    if result.problems:
        lines += ["", "problems:"] + [f"  {p}" for p in result.problems[:MAX_PROBLEMS_SHOWN]]
        hidden = len(result.problems) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            lines.append(f"  ... and {hidden} more")
    return "\n".join(lines)
