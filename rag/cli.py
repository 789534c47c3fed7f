"""The one command-line entry point: `rag <command>`. Turns domain errors into messages and exit codes."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rag.config import Settings
from rag.errors import RagError

COMMANDS = ("models", "ingest", "index", "search", "ask", "serve", "eval", "bench", "train",
            "questions", "articles", "check_questions")

Handler = Callable[[argparse.Namespace, Settings], int]


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if args.corpus is not None:
        overrides["corpus_dir"] = Path(args.corpus)
    if args.index_dir is not None:
        overrides["index_dir"] = Path(args.index_dir)
    settings = Settings()
    if args.model is not None:
        settings = settings.model_copy(
            update={"model": settings.model.model_copy(update={"name": args.model})}
        )
    return settings.model_copy(update=overrides)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="rag", description="Grounded, cited question answering over Chinese news articles."
    )
    parser.add_argument("--corpus", default=None, help="corpus folder (default: corpus/)")
    parser.add_argument("--index-dir", default=None, help="index folder (default: embeddings/)")
    parser.add_argument("--model", default=None, help="embedding model name or folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"rag.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args, _settings(args)))
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
