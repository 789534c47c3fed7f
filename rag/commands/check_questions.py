"""`rag check-questions FILE…`: check hand-written question sets line by line and, with --reports,
against the reports they were written from (eval/crud and eval/crud600)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rag.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print every problem of each set and one summary line; 1 when any set has a problem."""
    from rag.eval.checks import check_set, load_reports, rules_for

    ok = True
    loaded: dict[int, list[str]] = {}
    for path in args.files:
        rules = rules_for(path)
        reports = None
        if args.reports is not None:
            n = rules.reports if rules is not None else args.first
            if n not in loaded:
                loaded[n] = load_reports(args.reports, n)
            reports = loaded[n]
        result = check_set(path, reports, rules)
        for problem in result.problems:
            print(f"  {problem}")
        print(result.summary())
        ok = ok and not result.problems
    return 0 if ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser("check-questions", help="check question sets: every line well formed; with "
                       "--reports, evidence verbatim in the reports and answers in that evidence")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE",
                   help="question sets (JSONL); those of eval/crud and eval/crud600 also get their "
                   "set's ids and report range")
    p.add_argument("--reports", type=Path, default=None, metavar="CORPUS",
                   help="the JSONL corpus the sets were written from, e.g. "
                   "../shared/bench/crud-news.jsonl.xz")
    p.add_argument("--first", type=int, default=300,
                   help="reports of --reports read for a set that is not one of ours (default 300)")
    p.set_defaults(func=run)
