"""`rag eval`: run a question set through the pipeline and report answer, citation, retrieval,
abstention and latency metrics (one setup, or several side by side with --compare)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rag.config import Settings
from rag.errors import EvalError

if TYPE_CHECKING:
    from rag.eval.compare import CompareReport
    from rag.eval.results import EvalReport

DEFAULT_QUESTIONS = Path("eval/questions.jsonl")


def _settings(args: argparse.Namespace, settings: Settings) -> Settings:
    """Apply --corpus/--index-dir given after `eval` (the global ones are already applied)."""
    update: dict[str, object] = {}
    if args.eval_corpus is not None:
        update["corpus_dir"] = Path(args.eval_corpus)
    if args.eval_index_dir is not None:
        update["index_dir"] = Path(args.eval_index_dir)
    return settings.model_copy(update=update) if update else settings


def _progress(label: str, quiet: bool):  # type: ignore[no-untyped-def]
    if quiet:
        return None

    tty = sys.stderr.isatty()

    def report(i: int, n: int, row) -> None:  # type: ignore[no-untyped-def]
        mark = "ok" if row.correct else ("ERR" if row.error else "miss")
        line = f"[{label}] {i}/{n} {row.id} {mark:<4} {row.latency_ms:6.0f} ms"
        # one line rewritten in place on a terminal; one line per question in a log
        print(f"\r{line}" if tty else line, end="\n" if i == n or not tty else "",
              file=sys.stderr, flush=True)

    return report


def _print_floors(checks, stream) -> bool:  # type: ignore[no-untyped-def]
    ok = True
    for c in checks:
        sign = ">=" if c.floor.kind == "min" else "<="
        status = "ok  " if c.ok else "FAIL"
        print(f"{status} {c.floor.metric} = {c.value:.3f} (floor {sign} {c.floor.bound})"
              f" — {c.floor.description}", file=stream)
        ok = ok and c.ok
    return ok


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Evaluate; exit 1 when --check-floors or --fail-under-accuracy is not met."""
    from rag.eval import runner
    from rag.eval.memo import QueryMemo
    from rag.eval.questions import load_questions, sample_evenly
    from rag.index.embedders import make_embedder
    from rag.pipeline import Pipeline

    settings, qpath = _resolve(args, _settings(args, settings))
    items = sample_evenly(load_questions(qpath)[: args.limit], args.sample)
    retrieval = args.retrieval or settings.retrieval.mode
    primary = runner.make_setup(retrieval, args.mode or settings.answer.mode)
    modes = _modes(args.modes)
    if modes:
        if args.compare:
            raise EvalError("--modes and --compare are two kinds of comparison: give one")
        setups = tuple(runner.make_setup(retrieval, m) for m in modes)
        # floors and report.* follow --mode when it is one of the columns, else the first column
        primary = primary if args.mode in modes else setups[0]
    else:
        setups = runner.default_setups(settings) if args.compare else (primary,)
    for s in setups:
        runner.check_setup(settings, s)
    memo = QueryMemo(make_embedder(settings))
    pipeline = Pipeline.open(settings, embedder=memo, progress=not args.quiet)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    qpath = str(qpath)
    comparison = None
    if len(setups) > 1:
        comparison = runner.compare(pipeline, items, setups, questions=qpath, created=created,
                                    progress=lambda s: _progress(s.name, args.quiet), memo=memo)
        # floors and report.* are about the configured setup (hybrid, extractive by default)
        report = comparison.reports.get(primary.name) or comparison.reports[setups[-1].name]
    else:
        report = runner.evaluate(pipeline, items, primary, questions=qpath, created=created,
                                 progress=_progress(primary.name, args.quiet), memo=memo)

    _print_report(args, report, comparison)
    return 0 if _gates_met(args, report) else 1


def _modes(raw: str | None) -> tuple[str, ...]:
    """The answer modes of --modes ("extractive,auto,local"), in order, each once."""
    if raw is None:
        return ()
    known = ("extractive", "llm", "local", "auto")
    modes = tuple(dict.fromkeys(m.strip() for m in raw.split(",") if m.strip()))
    wrong = [m for m in modes if m not in known]
    if wrong or len(modes) < 2:
        raise EvalError(f"--modes takes two or more of {', '.join(known)}, comma-separated; "
                        f"got {raw!r}")
    return modes


def _resolve(args: argparse.Namespace, settings: Settings) -> tuple[Settings, Path]:
    """The settings and question file of --set (a named set) or --questions."""
    if args.limit is not None and args.limit < 1:
        raise EvalError(f"--limit must be >= 1, got {args.limit}")
    qpath = args.questions
    if args.set is not None:
        from rag.eval.sets import resolve_set, settings_for

        named = resolve_set(args.set, settings)
        settings = settings_for(named, settings) if args.set != "bundled" else settings
        qpath = named.questions if args.questions == DEFAULT_QUESTIONS else args.questions
    return settings, qpath


def _print_report(args: argparse.Namespace, report: EvalReport,
                  comparison: CompareReport | None) -> None:
    """The report as JSON or Markdown on stdout; with --report, also its files."""
    from rag.eval import runner
    from rag.eval.compare import render_compare_markdown
    from rag.eval.report import render_markdown

    if args.json:
        doc = comparison if comparison is not None else report
        print(doc.model_dump_json(indent=2))
    elif comparison is not None:
        print(render_compare_markdown(comparison))
    else:
        print(render_markdown(report))
    if args.report is not None:
        for path in runner.write_reports(Path(args.report), report, comparison):
            print(f"wrote {path}", file=sys.stderr)


def _gates_met(args: argparse.Namespace, report: EvalReport) -> bool:
    """Whether --check-floors and --fail-under-accuracy are met (their failures on stderr)."""
    from rag.eval import runner

    ok = True
    if args.check_floors:
        print(f"floors ({report.meta.get('retrieval_mode')}, {report.meta.get('answer_mode')}):",
              file=sys.stderr)
        ok = _print_floors(runner.check_floors(report.overall), sys.stderr)
    if args.fail_under_accuracy is not None and (
        report.overall.answer_accuracy < args.fail_under_accuracy
    ):
        print(f"FAIL answer accuracy {report.overall.answer_accuracy:.3f} < "
              f"{args.fail_under_accuracy}", file=sys.stderr)
        ok = False
    return ok


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser(
        "eval", help="evaluate answers, citations, retrieval and abstention on a question set",
        description="Run every question of a JSONL set (format: eval/README.md) through the same "
        "pipeline the API uses. Your own corpus: rag --corpus DIR --index-dir DIR eval "
        "--questions FILE (the index is built or reused by fingerprint).",
    )
    p.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, metavar="FILE",
                   help=f"question set (default: {DEFAULT_QUESTIONS})")
    p.add_argument("--set", default=None, metavar="NAME",
                   help="a named set with its own corpus and index (built on first use, then "
                   "reused): bundled, crud-dev, rgb-dev (read from settings.eval.datasets_dir)")
    p.add_argument("--corpus", dest="eval_corpus", default=None, metavar="DIR",
                   help="corpus folder (same as the global --corpus)")
    p.add_argument("--index-dir", dest="eval_index_dir", default=None, metavar="DIR",
                   help="index folder (same as the global --index-dir)")
    p.add_argument("--mode", choices=["extractive", "llm", "local", "auto"], default=None,
                   help="answerer (default: settings.answer.mode)")
    p.add_argument("--retrieval", choices=["hybrid", "dense", "keyword"], default=None,
                   help="retrieval mode (default: settings.retrieval.mode)")
    p.add_argument("--compare", action="store_true",
                   help="run keyword, dense and hybrid retrieval (and the LLM when configured) "
                   "side by side; one table, rows = metrics")
    p.add_argument("--modes", default=None, metavar="LIST",
                   help="answer modes side by side over the same questions and retrieval, e.g. "
                   "extractive,auto,local; the report adds the best of the columns per question "
                   "(the ceiling of any router between them)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N questions")
    p.add_argument("--sample", type=int, default=None, metavar="N",
                   help="N questions spread evenly over the set (after --limit)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--report", default=None, metavar="DIR",
                   help="write report.md, report.html and report.json (and compare.*) there")
    p.add_argument("--check-floors", action="store_true",
                   help="exit 1 when a metric is below the agreed floors (rag.eval.runner.FLOORS)")
    p.add_argument("--fail-under-accuracy", type=float, default=None, metavar="X",
                   help="exit 1 when answer accuracy is below X (0..1)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run)
