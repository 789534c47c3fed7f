"""`rag index`: build or update the index for the corpus folder (only changed chunks are embedded)."""

from __future__ import annotations

import argparse
import sys

from rag.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Build or update the index and print what was done."""
    from rag.index.builder import update_index
    from rag.index.embedders import make_embedder

    embedder = make_embedder(settings)
    report = update_index(settings, embedder, progress=sys.stderr.isatty(), force=args.force)
    print(report.summary())
    if args.verbose_timings and report.seconds:
        print("timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in report.seconds.items()))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser("index", help="build or update the search index (embeds only what changed)")
    p.add_argument("--force", action="store_true",
                   help="rebuild even if the index matches the corpus (cached embeddings are reused)")
    p.add_argument("--timings", dest="verbose_timings", action="store_true",
                   help="print the time spent in each step")
    p.set_defaults(func=run)
