"""`rag models fetch|verify|path`: the embedding model (and the on-box LLM) files."""

from __future__ import annotations

import argparse
import sys

from rag.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
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


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser("models", help="fetch, verify or locate the embedding model and the on-box LLM")
    p.add_argument("action", choices=["fetch", "verify", "path"])
    p.add_argument("--force", action="store_true", help="download again even if present")
    p.add_argument("--llm", action="store_true",
                   help="only the on-box LLM (local_llm.model); plain `fetch` gets both unless "
                   "local_llm.fetch is false")
    p.set_defaults(func=run)
