"""`rag train-reader`: fit the reader's candidate ranker on crud-train (or another named set) and
show its top-1 on check sets. `rag train-calibrator`: fit the answer calibration on crud-train and
show, on check sets, what each abstention threshold would do. Fit the ranker first: the calibration
reads the answers the ranker chose."""

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


def _pipeline(name: str, settings: Settings, quiet: bool, retrieval: str):  # type: ignore[no-untyped-def]
    from rag.eval.questions import load_questions
    from rag.eval.sets import resolve_set, settings_for
    from rag.pipeline import Pipeline

    named = resolve_set(name, settings)
    set_settings = settings_for(named, settings) if name != "bundled" else settings
    pipeline = keyword_pipeline(set_settings) if retrieval == "keyword" else \
        Pipeline.open(set_settings, progress=not quiet)
    return pipeline, load_questions(named.questions)


def _progress(name: str, quiet: bool):  # type: ignore[no-untyped-def]
    def progress(i: int, n: int) -> None:
        if not quiet and (i % 50 == 0 or i == n):
            print(f"[{name}] {i}/{n}", file=sys.stderr, flush=True)
    return progress


def run_reader(args: argparse.Namespace, settings: Settings) -> int:
    from rag.answer.ranker import fit, load_ranker, packaged_path, top1
    from rag.eval.reader_training import collect

    if args.check_only:
        ranker = _load_or_say(load_ranker, args.out, packaged_path(), "ranker")
        if ranker is None:
            return 1
    else:
        pipeline, items = _pipeline(args.set, settings, args.quiet, args.retrieval)
        items = items[:args.limit]
        _fit_span(args, pipeline, items)  # first: the sentence features read the chosen span
        groups, heuristic = collect(pipeline, items, progress=_progress(args.set, args.quiet))
        ranker = fit(groups, l2=args.l2, heuristic_weight=args.heuristic_weight,
                     fitted_on=f"{args.set} ({len(groups)} of {len(items)} questions, "
                     f"{args.retrieval} retrieval), l2={args.l2}", question_ids=[i.id for i in items])
        out = args.out or packaged_path()
        out.write_text(ranker.to_json(), encoding="utf-8")
        print(f"wrote {out}; top-1 on {args.set} (in-sample): {top1(ranker, groups, heuristic):.3f} "
              f"(heuristic {top1(None, groups, heuristic):.3f})")
        _fit_lead(args, pipeline, items)
    for name in args.check:
        pipeline, items = _pipeline(name, settings, args.quiet, "hybrid")
        groups, heuristic = collect(pipeline, items, progress=_progress(name, args.quiet))
        print(f"{name}: top-1 {top1(ranker, groups, heuristic):.3f} (heuristic {top1(None, groups, heuristic):.3f}; "
              f"{len(groups)} questions, {sum(any(g.gold) for g in groups)} with a gold sentence)")
    return 0


def _fit_span(args: argparse.Namespace, pipeline: Any, items: Any) -> None:
    """Fit and write the typed answer's span model (rag/answer/span.py) on the set, and give it to
    the pipeline's reader (the sentence ranker is then fitted on the spans it chooses)."""
    from rag.answer.ranker import top1
    from rag.answer.span import SPAN_FEATURES, packaged_path
    from rag.eval.reader_training import collect_spans

    spans = collect_spans(pipeline, items, progress=_progress(args.set + " spans", args.quiet))
    model, out = _fit_and_write(args, items, spans, SPAN_FEATURES, "typed questions with 2+ spans",
                                args.span_out or packaged_path())
    rule = [next(i for i, f in enumerate(g.feats) if f["rule"]) for g in spans]
    fallback = [[float(i == r) for i in range(len(g.feats))] for g, r in zip(spans, rule, strict=True)]
    print(f"wrote {out}; answer span top-1 on {args.set} (in-sample): {top1(model, spans):.3f} "
          f"(the hand rule {top1(None, spans, fallback):.3f})")
    pipeline.chain.extractive.span = model


def _fit_lead(args: argparse.Namespace, pipeline: Any, items: Any) -> None:
    """Fit and write the open answer's lead-clause model (rag/answer/lead.py) on the same set."""
    from rag.answer.lead import LEAD_FEATURES, packaged_path
    from rag.answer.ranker import top1
    from rag.eval.reader_training import collect_leads

    leads = collect_leads(pipeline, items, progress=_progress(args.set + " leads", args.quiet))
    model, out = _fit_and_write(args, items, leads, LEAD_FEATURES, "open questions", args.lead_out or packaged_path())
    print(f"wrote {out}; lead clause top-1 on {args.set} (in-sample): {top1(model, leads):.3f}")


def _fit_and_write(args: argparse.Namespace, items: Any, groups: Any, names: Any, what: str,
                   out: Path) -> tuple[Any, Path]:
    """A conditional logit over `names` fitted on the gold sentences' groups, written to `out`."""
    from rag.answer.ranker import fit

    model = fit(groups, l2=args.l2, names=names, question_ids=[i.id for i in items],
                fitted_on=f"{args.set} ({len(groups)} gold sentences of {what}, {args.retrieval} "
                f"retrieval), l2={args.l2}")
    out.write_text(model.to_json(), encoding="utf-8")
    return model, out


def _rows(name: str, settings: Settings, limit: int | None, quiet: bool,  # type: ignore[no-untyped-def]
          retrieval: str = "hybrid"):
    from rag.eval.calibration import collect

    pipeline, items = _pipeline(name, settings, quiet, retrieval)
    return collect(pipeline, items[:limit], progress=_progress(name, quiet))


def _load_or_say(load, path: Path | None, default: Path, what: str):  # type: ignore[no-untyped-def]
    """The model at `path` (or the packaged one); None, said on stderr, when there is none."""
    model = load(path)
    if model is None:
        print(f"no {what} model at {path or default}", file=sys.stderr)
    return model


def run(args: argparse.Namespace, settings: Settings) -> int:
    from rag.answer.calibrate import load_calibrator, packaged_path
    from rag.eval.calibration import separation, threshold_table, train

    if args.check_only:
        calibrator = _load_or_say(load_calibrator, args.out, packaged_path(), "calibration")
        if calibrator is None:
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
    """Add the sub-commands to the CLI."""
    r = sub.add_parser(
        "train-reader", help="fit the reader's candidate-sentence ranker on a named set",
        description="Run the reader's candidate stage over a named set's questions (default crud-train), "
        "label each candidate sentence by whether it holds a gold answer, fit a conditional-logit "
        "ranker over named features, write it (default: the packaged rag/answer/ranker.json) and print "
        "its top-1 on the --check sets.")
    r.add_argument("--set", default="crud-train", help="the set to fit on (default: crud-train)")
    r.add_argument("--out", type=Path, default=None, help="where to write the model")
    r.add_argument("--lead-out", type=Path, default=None,
                   help="where to write the lead-clause model (default: the packaged rag/answer/lead.json)")
    r.add_argument("--span-out", type=Path, default=None,
                   help="where to write the answer-span model (default: the packaged rag/answer/span.json)")
    r.add_argument("--limit", type=int, default=None, help="only the first N questions")
    r.add_argument("--l2", type=float, default=3.0, help="L2 penalty on standardised weights (3.0: chosen on "
                   "crud-dev and rgb-dev top-1 among 0.3, 1, 3, 10, 30; they differ by 3 questions or fewer)")
    r.add_argument("--heuristic-weight", type=float, default=3.0,
                   help="weight of the hand-set heuristic score as a prior (3.0: chosen on crud-dev and rgb-dev)")
    r.add_argument("--retrieval", choices=["keyword", "hybrid"], default="keyword",
                   help="how the training contexts are retrieved (default keyword: BM25 in memory)")
    r.add_argument("--check", nargs="*", default=["crud-dev", "rgb-dev"], metavar="SET",
                   help="sets to show top-1 on (default: crud-dev rgb-dev)")
    r.add_argument("--check-only", action="store_true", help="do not fit; check the existing model")
    r.add_argument("-q", "--quiet", action="store_true")
    r.set_defaults(func=run_reader)
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
