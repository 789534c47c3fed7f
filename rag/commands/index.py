"""`rag index`: build or update the index for the corpus folder (only changed chunks are embedded)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rag.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Build or update the index and print what was done."""
    if args.verify:
        return _verify(settings)
    from rag.index.builder import BuildReport, corpus_is_indexed, update_index
    from rag.index.embedders import make_embedder
    from rag.index.embedders.sentence_transformer import expected_fingerprint

    if not args.force and not args.evaluate:
        # nothing changed: say so without loading the model (seconds saved on every no-op run)
        fingerprint = expected_fingerprint(settings)
        manifest = corpus_is_indexed(settings, fingerprint) if fingerprint else None
        if manifest is not None and not manifest.legacy:
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


def _verify(settings: Settings) -> int:
    """Print OK/BAD for every file of the current generation; 1 when any is damaged or the
    manifest is unusable, 2 when the index predates checksums (nothing to check against)."""
    from rag.index.integrity import verify_index
    from rag.index.manifest import MANIFEST_FILE, REBUILD_HINT

    v = verify_index(settings.index_dir)
    print(f"checking {v.directory}")
    if v.manifest_error:
        print(f"BAD      {MANIFEST_FILE}: {v.manifest_error}")
        print(f"index damaged: its manifest is unusable -> {REBUILD_HINT}", file=sys.stderr)
        return 1
    if v.legacy:
        print(f"UNCHECKED {MANIFEST_FILE}: built before integrity checks, no checksums recorded")
        print("cannot verify this index -> run `rag index` to rebuild it with checksums "
              "(its vectors are reused)", file=sys.stderr)
        return 2
    print(f"OK       {MANIFEST_FILE} (checksum)")
    for f in v.files:
        print(f"{'OK' if f.verdict == 'ok' else 'BAD':<8} {f.path}" + (f": {f.detail}" if f.detail else ""))
    if v.damaged:
        print(f"index damaged: {len(v.damaged)} of {len(v.files)} files bad -> {REBUILD_HINT}",
              file=sys.stderr)
        return 1
    rate = v.megabytes / v.seconds if v.seconds else 0.0
    print(f"index intact: {len(v.files)} files, {v.megabytes:.1f} MB checked in {v.seconds:.2f} s "
          f"({rate:.0f} MB/s)")
    return 0


def _evaluate(questions_path: Path, settings: Settings, embedder: object) -> None:
    """Print recall@1/@5 and MRR for keyword, dense and hybrid retrieval side by side."""
    from rag.eval.retrieval import compare_modes, format_report, load_retrieval_questions
    from rag.index.builder import load_index

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
    p.add_argument("--verify", action="store_true",
                   help="check every file of the current index against the checksums in its "
                   "manifest (no model loaded); print OK/BAD per file, exit 1 if any is damaged")
    p.add_argument("--timings", dest="verbose_timings", action="store_true",
                   help="print the time spent in each step")
    p.add_argument("--evaluate", type=Path, default=None, metavar="QUESTIONS",
                   help="then print recall@1/@5 and MRR of keyword, dense and hybrid retrieval "
                   "on a question set (e.g. eval/questions.jsonl)")
    p.set_defaults(func=run)
