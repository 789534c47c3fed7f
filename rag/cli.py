"""The one command-line entry point: `rag <command>`. Turns domain errors into messages and exit codes."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rag.config import Settings
from rag.errors import RagError

COMMANDS = ("ingest", "index", "search", "ask", "serve", "eval", "bench", "train", "questions",
            "articles")

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


# --- models ---------------------------------------------------------------------------------

def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    """Fetch or verify the default embedding model."""
    from rag import models

    if getattr(args, "llm", False):
        return _llm_models(args, settings)
    if args.action == "fetch":
        report = models.fetch_model(settings, force=args.force, progress=lambda m: print(m, file=sys.stderr))
        if report.already_present:
            print(f"model already downloaded and verified: {report.path} (nothing downloaded)")
        else:
            mb = report.downloaded_bytes / 1e6
            print(f"model ready: {report.path} ({report.downloaded_files} parts, {mb:.0f} MB downloaded)")
        if settings.model.backend == "onnx":  # export (and quantize) the graph now, not at first start
            from rag.index.embedders import make_embedder

            print("preparing the ONNX Runtime graph (once: a few minutes)...", file=sys.stderr)
            embedder = make_embedder(settings)
            print(f"embedding backend: {getattr(embedder, 'backend', 'torch')}")
        return _llm_models(args, settings) if settings.local_llm.fetch else 0
    if args.action == "verify":
        models.verify_model(models.model_dir(settings), stamp=True)
        print(f"model verified: {models.model_dir(settings)}")
        return 0
    print(models.model_dir(settings))
    return 0


def _llm_models(args: argparse.Namespace, settings: Settings) -> int:
    """Fetch, verify or locate the on-box LLM's GGUF file."""
    from rag import llm_files

    if args.action == "fetch":
        path, downloaded = llm_files.fetch_llm(settings, force=args.force,
                                               progress=lambda m: print(m, file=sys.stderr))
        state = f"{downloaded / 1e6:.0f} MB downloaded" if downloaded else "nothing downloaded"
        print(f"on-box LLM ready and verified: {path} ({state})")
    elif args.action == "verify":
        print(f"on-box LLM verified: {llm_files.verify_llm(settings)}")
    else:
        print(llm_files.llm_path(settings))
    return 0


def _add_models(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="fetch, verify or locate the embedding model and the on-box LLM")
    p.add_argument("action", choices=["fetch", "verify", "path"])
    p.add_argument("--force", action="store_true", help="download again even if present")
    p.add_argument("--llm", action="store_true",
                   help="only the on-box LLM (local_llm.model); plain `fetch` gets both unless "
                   "local_llm.fetch is false")
    p.set_defaults(func=cmd_models)


# --- registration -----------------------------------------------------------------------------

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
    _add_models(sub)
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


def dump_json(obj: object) -> None:
    """Print a JSON document with Chinese kept readable."""
    print(json.dumps(obj, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    raise SystemExit(main())
