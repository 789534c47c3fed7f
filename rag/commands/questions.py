"""`rag questions`: what was asked (most frequent first, near-duplicates grouped), feedback, CSV,
and the down-voted or unanswered questions as an eval set (read from the server's question log)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rag.config import Settings
from rag.feedback import FeedbackEntry, QuestionEntry, QuestionGroup, QuestionLog
from rag.feedback.export import eval_items, eval_jsonl, feedback_csv, groups_csv, questions_csv


def _cut(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_groups(groups: list[QuestionGroup]) -> None:
    print(f"{'count':>5}  {'down':>4}  {'last seen':<20}  question")
    for g in groups:
        more = f"  (+{len(g.wordings) - 1} wordings)" if len(g.wordings) > 1 else ""
        print(f"{g.count:>5}  {g.down_votes:>4}  {g.last_seen:<20}  {_cut(g.example)}{more}")
        for comment in g.comments[:3]:
            print(f"{'':>35}comment: {_cut(comment, 60)}")


def _print_rows(rows: list[QuestionEntry]) -> None:
    print(f"{'asked at':<20}  {'answered':<8}  {'rating':<6}  {'ms':>6}  question")
    for r in rows:
        print(f"{r.asked_at:<20}  {'yes' if r.answered else 'NO':<8}  {r.rating or '':<6}  "
              f"{r.latency_ms:>6.0f}  {_cut(r.question)}")


def _print_feedback(rows: list[FeedbackEntry]) -> None:
    print(f"{'rated at':<20}  {'rating':<6}  question | comment")
    for f in rows:
        print(f"{f.rated_at:<20}  {f.rating:<6}  {_cut(f.question, 40)} | {_cut(f.comment or '', 40)}")


def _write(path: str, text: str, bom: bool = False) -> None:
    Path(path).write_text(("\ufeff" if bom else "") + text, encoding="utf-8")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print or export the log."""
    from rag.commands.output import dump_json

    qlog = QuestionLog(settings.question_log, settings.index_dir)
    if not qlog.path.exists():
        print(f"no question log at {qlog.path} (nothing asked yet, or question_log.path differs)")
        return 0
    if args.export_eval:
        rows = qlog.questions(unanswered=True, down_voted=True, limit=settings.question_log.group_window)
        _write(args.export_eval, eval_jsonl(rows))
        print(f"wrote {len(eval_items(rows))} questions to {args.export_eval} "
              f"(from {len(rows)} unanswered or down-voted answers)")
        return 0
    filters = {"unanswered": args.unanswered, "down_voted": args.down_voted}
    if args.feedback:
        found = qlog.feedback(rating="down" if args.down_voted else None, limit=args.limit, offset=args.offset)
        text, show, data = feedback_csv(found), _print_feedback, found
    elif args.list:
        rows = qlog.questions(**filters, limit=args.limit, offset=args.offset)
        text, show, data = questions_csv(rows), _print_rows, rows  # type: ignore[assignment]
    else:
        groups = qlog.groups(**filters, limit=args.limit)
        text, show, data = groups_csv(groups), _print_groups, groups  # type: ignore[assignment]
    if args.csv:
        _write(args.csv, text, bom=True)
        print(f"wrote {len(data)} rows to {args.csv}")
    elif args.json:
        dump_json([d.model_dump(mode="json") for d in data])
    else:
        show(data)  # type: ignore[arg-type]
        print(f"({len(data)} shown; {qlog.count(**filters)} questions logged"
              f"{' that match' if any(filters.values()) else ''})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser("questions", help="what citizens asked: most frequent (unanswered) questions, "
                       "feedback, CSV, eval-set export")
    p.add_argument("--unanswered", action="store_true", help="only questions the system refused")
    p.add_argument("--down-voted", action="store_true",
                   help="only down-voted answers (with --unanswered: either)")
    view = p.add_mutually_exclusive_group()
    view.add_argument("--list", action="store_true", help="one row per question, newest first "
                      "(default: groups of near-duplicates, most frequent first)")
    view.add_argument("--feedback", action="store_true", help="rated answers, newest first")
    p.add_argument("--limit", type=int, default=50, help="rows (default 50)")
    p.add_argument("--offset", type=int, default=0, help="rows to skip (with --list, --feedback)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", metavar="FILE", help="write the rows as CSV (UTF-8 with BOM)")
    out.add_argument("--export-eval", metavar="FILE",
                     help="write the unanswered and down-voted questions as an eval question set "
                     "(JSONL, eval/README.md): a comment becomes the expected answer, else the "
                     "question is expected to be refused")
    p.set_defaults(func=run)
