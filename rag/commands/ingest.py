"""`rag ingest`: read the corpus folder, repair layout, write articles.jsonl, print a summary."""

from __future__ import annotations

import argparse

from rag.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest settings.corpus_dir into settings.index_dir/articles.jsonl."""
    from rag.ingest import format_summary, load_corpus, write_ingest

    result = load_corpus(settings.corpus_dir)
    path = write_ingest(result, settings.index_dir)
    print(format_summary(result))
    print(f"\nwritten: {path}")
    return 0 if result.articles else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser("ingest", help="read the corpus into articles and paragraphs (repairs layout)")
    p.set_defaults(func=run)
