"""`rag bench`: build, latency and throughput figures for this system next to two baselines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rag.config import Settings
from rag.errors import ConfigError

FULL = 68_218
JSONL_SIZES = (1000, 10_000, FULL)  # the --docs of a run given --jsonl without --docs


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(FULL if s.strip() in ("full", "all") else int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--docs takes numbers separated by commas, got {text!r}") from None
    if any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError("--docs sizes must be positive")
    return sizes


def _docs(args: argparse.Namespace) -> tuple[int, ...]:
    """The JSONL sizes to run: --docs, else 1000,10000,full with --jsonl, else none (the bundled
    corpus only: no corpus outside the repository is read unless named)."""
    docs: tuple[int, ...] = args.docs if args.docs is not None else (
        JSONL_SIZES if args.jsonl is not None else ())
    if docs and args.jsonl is None:
        raise ConfigError("--docs needs the JSONL news corpus to take the reports from",
                          hint="pass --jsonl PATH (e.g. ../shared/bench/crud-news.jsonl.xz), or "
                          "leave out --docs to run on the bundled corpus only")
    if docs and not args.jsonl.is_file():
        raise ConfigError(f"benchmark corpus not found: {args.jsonl}",
                          hint="pass --jsonl PATH, or --docs '' to run on the bundled corpus only")
    return docs


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the benchmark and print Markdown tables (or JSON)."""
    from bench.report import render
    from bench.run import BenchConfig, run_bench

    docs = _docs(args)
    config = BenchConfig(
        sizes=docs, **({"jsonl": args.jsonl} if args.jsonl is not None else {}),
        bundled=not args.no_bundled, queries=args.queries,
        repeat=args.repeat, dense_sample=args.dense_sample,
        clients=tuple(int(c) for c in args.clients.split(",") if c.strip()),
        http_seconds=args.http_seconds, http_sizes=(0, *docs[:1]),
        baselines=not args.no_baselines, scratch=args.scratch, partial_out=args.out,
        llm_questions=args.llm)

    def log(msg: str) -> None:
        print(f"bench: {msg}", file=sys.stderr, flush=True)

    report = run_bench(settings, config, log)
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render(report))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser("bench", help="benchmark index build, query latency and /api/ask throughput "
                       "against LangChain and BM25 baselines")
    p.add_argument("--docs", type=_sizes, default=None,
                   help="corpus sizes (first N reports of --jsonl), comma-separated; 'full' = 68218; "
                   "'' for none (default: 1000,10000,full with --jsonl, none without)")
    p.add_argument("--jsonl", type=Path, default=None,
                   help="the JSONL news corpus, e.g. ../shared/bench/crud-news.jsonl.xz (default: "
                   "none, only the bundled corpus is benchmarked)")
    p.add_argument("--no-bundled", action="store_true", help="skip the bundled corpus workload")
    p.add_argument("--queries", type=int, default=40, help="queries timed per workload")
    p.add_argument("--repeat", type=int, default=1, help="passes over the queries")
    p.add_argument("--dense-sample", type=int, default=300,
                   help="chunks really encoded per workload; the rest get stand-in vectors")
    p.add_argument("--clients", default="1,4,16", help="concurrent /api/ask clients ('' to skip)")
    p.add_argument("--http-seconds", type=float, default=8.0, help="seconds per concurrency level")
    p.add_argument("--no-baselines", action="store_true", help="only this system")
    p.add_argument("--llm", type=int, default=0, metavar="N",
                   help="also the on-box LLM's rows over N bundled questions: load time, prompt and "
                   "generated tokens/s, time to first token, ask time per mode (extractive, local, "
                   "auto), memory with the model loaded (default 0: not run)")
    p.add_argument("--scratch", type=Path, default=None, help="where scratch indexes go (default: tmp)")
    p.add_argument("--out", type=Path, default=None, help="also write the JSON report here")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(func=run)
