"""`rag train-calibrator`: fit the answer calibration on crud-train (or another named set) and
show, on check sets, what each abstention threshold would do."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rag.config import Settings


def keyword_pipeline(settings: Settings) -> Any:
    """A pipeline over an in-memory BM25 index of the set's corpus whose reader has the embedding
    model (sentence similarity), as in the full pipeline: no dense index to build."""
    from rag.answer.chain import build_chain
    from rag.index.builder import keyword_only_index
    from rag.index.embedders import make_embedder
    from rag.pipeline import Pipeline
    from rag.retrieve import HybridRetriever

    index = keyword_only_index(settings)
    embedder = make_embedder(settings)
    retriever = HybridRetriever(index, None, settings)
    return Pipeline(settings, index, embedder, retriever, build_chain(settings, retriever, embedder=embedder))


def _rows(name: str, settings: Settings, limit: int | None, quiet: bool,  # type: ignore[no-untyped-def]
          retrieval: str = "hybrid"):
    from rag.eval.calibration import collect
    from rag.eval.questions import load_questions
    from rag.eval.sets import resolve_set, settings_for
    from rag.pipeline import Pipeline

    named = resolve_set(name, settings)
    set_settings = settings_for(named, settings) if name != "bundled" else settings
    items = load_questions(named.questions)[:limit]
    pipeline = keyword_pipeline(set_settings) if retrieval == "keyword" else \
        Pipeline.open(set_settings, progress=not quiet)

    def progress(i: int, n: int) -> None:
        if not quiet and (i % 50 == 0 or i == n):
            print(f"[{name}] {i}/{n}", file=sys.stderr, flush=True)

    return collect(pipeline, items, progress=progress)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from rag.answer.calibrate import load_calibrator, packaged_path
    from rag.eval.calibration import separation, threshold_table, train

    if args.check_only:
        calibrator = load_calibrator(args.out)
        if calibrator is None:
            print(f"no calibration model at {args.out or packaged_path()}", file=sys.stderr)
            return 1
    else:
        rows = _rows(args.set, settings, args.limit, args.quiet, args.retrieval)
        calibrator = train(rows, l2=args.l2, fitted_on=f"{args.set} ({len(rows)} questions, "
                           f"{args.retrieval} retrieval), l2={args.l2}")
        out = args.out or packaged_path()
        out.write_text(calibrator.to_json(), encoding="utf-8")
        print(f"wrote {out}; on {args.set} (in-sample): {json.dumps(separation(calibrator, rows))}")
    for name in args.check:
        rows = _rows(name, settings, None, args.quiet)
        print(f"{name}: {json.dumps(separation(calibrator, rows))}")
        print("| threshold | accuracy | answerable refused | unanswerable refused |\n|---|---|---|---|")
        for t in threshold_table(calibrator, rows):
            print(f"| {t['threshold']:.2f} | {t['accuracy']:.3f} | {t['answerable_refused']:.3f} | "
                  f"{t['unanswerable_refused']:.3f} |")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser(
        "train-calibrator", help="fit the answer calibration (P(right)) on a named set",
        description="Run the extractive reader over a named set's questions (default crud-train: "
        "CRUD-RAG's training split), fit a logistic model of P(answer right) over named features, "
        "write it (default: the packaged rag/answer/calibration.json), and print what each "
        "abstention threshold would do on the --check sets (choose answer.min_answer_probability there).")
    p.add_argument("--set", default="crud-train", help="the set to fit on (default: crud-train)")
    p.add_argument("--out", type=Path, default=None, help="where to write the model")
    p.add_argument("--limit", type=int, default=None, help="only the first N questions")
    p.add_argument("--l2", type=float, default=1.0, help="L2 penalty on standardised weights")
    p.add_argument("--retrieval", choices=["keyword", "hybrid"], default="keyword",
                   help="how the training contexts are retrieved (default keyword: BM25 in memory, "
                   "no dense index of the training corpus needed; the reader still embeds sentences)")
    p.add_argument("--check", nargs="*", default=["crud-dev", "rgb-dev"], metavar="SET",
                   help="sets to show thresholds on (default: crud-dev rgb-dev)")
    p.add_argument("--check-only", action="store_true", help="do not fit; check the existing model")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=run)
