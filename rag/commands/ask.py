"""`rag ask "…"`: a grounded answer with its numbered sources, as text or the Answer record in JSON."""

from __future__ import annotations

import argparse
import sys

from rag.config import Settings
from rag.records import Answer


def _snippet(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render(answer: Answer) -> str:
    """The answer, its sources (or the possibly related paragraphs) and timings, for a terminal."""
    lines = [answer.answer, ""]
    if answer.citations:
        lines.append("来源 / sources:")
        for c in answer.citations:
            lines.append(f"  [{c.n}] {c.article_title} ({c.paragraph_id})")
            lines.append(f"      “{_snippet(c.quote)}”")
    elif answer.related:
        lines.append("可能相关 / possibly related:")
        for c in answer.related:
            lines.append(f"  - {c.article_title} ({c.paragraph_id}): {_snippet(c.text, 60)}")
    if answer.standalone_question and answer.standalone_question != answer.question:
        lines.append(f"(understood as: {answer.standalone_question})")
    t = answer.timings_ms
    lines.append(f"({answer.mode}; retrieve {t.get('retrieve', 0):.0f} ms, answer {t.get('answer', 0):.0f} ms, "
                 f"total {t.get('total', 0):.0f} ms)")
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Ask one question and print the answer."""
    from rag.commands.output import dump_json
    from rag.pipeline import Pipeline

    if args.llm_url:
        settings = settings.model_copy(update={"answer": settings.answer.model_copy(
            update={"llm_base_url": args.llm_url, **({"llm_model": args.llm_model} if args.llm_model else {})})})
    pipeline = Pipeline.open(settings, progress=sys.stderr.isatty())
    if args.stream and not args.json:
        final: Answer | None = None
        for piece in pipeline.stream(args.question, top_k=args.k, mode=args.mode):
            if isinstance(piece, Answer):
                final = piece
            else:
                print(piece, end="", flush=True)
        print()
        if final is not None:
            print("\n".join(render(final).splitlines()[1:]))
        return 0
    answer = pipeline.ask(args.question, top_k=args.k, mode=args.mode)
    if args.json:
        dump_json(answer.model_dump(mode="json"))
    else:
        print(render(answer))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser("ask", help="answer a question with cited paragraphs")
    p.add_argument("question", help="the question (Chinese or English)")
    p.add_argument("--k", type=int, default=None, help="paragraphs given to the answerer (default from settings)")
    p.add_argument("--mode", choices=["extractive", "llm", "local", "auto"], default=None,
                   help="answerer (default from settings: extractive)")
    p.add_argument("--stream", action="store_true", help="print the answer as it is produced")
    p.add_argument("--llm-url", default=None, help="OpenAI-compatible base URL for --mode llm")
    p.add_argument("--llm-model", default=None, help="model name at that endpoint")
    p.add_argument("--json", action="store_true", help="print the Answer record as JSON")
    p.set_defaults(func=run)
