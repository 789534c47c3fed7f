"""`rag index`: build or update the index for the corpus folder (only changed chunks are embedded)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rag.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Build or update the index and print what was done."""
    from rag.index.builder import BuildReport, corpus_is_indexed, update_index
    from rag.index.embedders import make_embedder
    from rag.index.embedders.sentence_transformer import expected_fingerprint

    if not args.force and not args.evaluate:
        # nothing changed: say so without loading the model (seconds saved on every no-op run)
        fingerprint = expected_fingerprint(settings)
        manifest = corpus_is_indexed(settings, fingerprint) if fingerprint else None
        if manifest is not None:
            print(BuildReport(directory=settings.index_dir, articles=manifest.articles,
                              paragraphs=manifest.paragraphs, chunks=manifest.chunks,
                              reused=manifest.chunks, up_to_date=True).summary())
            return 0
    embedder = make_embedder(settings)
    report = update_index(settings, embedder, progress=sys.stderr.isatty(), force=args.force)
    print(report.summary())
    if args.verbose_timings and report.seconds:
        print("timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in report.seconds.items()))
    if args.evaluate:
        _evaluate(args.evaluate, settings, embedder)
    return 0


def _evaluate(questions_path: Path, settings: Settings, embedder: object) -> None:
    """Print recall@1/@5 and MRR for keyword, dense and hybrid retrieval side by side."""
    from rag.index.builder import load_index
    from rag.index.evaluate import compare_modes, format_report, load_retrieval_questions

    index = load_index(settings, embedder)  # type: ignore[arg-type]
    questions = load_retrieval_questions(questions_path)
    t0 = time.perf_counter()
    rows = compare_modes(index, embedder, settings, questions)  # type: ignore[arg-type]
    print()
    print(format_report(rows, len(questions), time.perf_counter() - t0))


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser("index", help="build or update the search index (embeds only what changed)")
    p.add_argument("--force", action="store_true",
                   help="rebuild even if the index matches the corpus (cached embeddings are reused)")
    p.add_argument("--timings", dest="verbose_timings", action="store_true",
                   help="print the time spent in each step")
    p.add_argument("--evaluate", type=Path, default=None, metavar="QUESTIONS",
                   help="then print recall@1/@5 and MRR of keyword, dense and hybrid retrieval "
                   "on a question set (e.g. eval/questions.jsonl)")
    p.set_defaults(func=run)
