"""`rag index`."""

from __future__ import annotations

import argparse

from rag.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Not built yet."""
    raise SystemExit("rag index: not implemented yet")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser("index", help="index (not implemented yet)")
    p.set_defaults(func=run)
