"""`rag search "…"`: the best paragraphs for a query, as a table or JSON."""

from __future__ import annotations

import argparse
import sys

from rag.config import Settings


def _snippet(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Search and print the hits."""
    from rag.commands.output import dump_json
    from rag.index.builder import ensure_index
    from rag.index.embedders import make_embedder
    from rag.retrieve import HybridRetriever

    embedder = make_embedder(settings)
    index = ensure_index(settings, embedder, progress=sys.stderr.isatty())
    retriever = HybridRetriever(index, embedder, settings)
    timings: dict[str, float] = {}
    hits = retriever.search(args.query, k=args.k, mode=args.mode, timings=timings)
    if args.json:
        dump_json([h.model_dump(mode="json") for h in hits])
        return 0
    if not hits:
        print("no results")
        return 0
    print(f"{'#':>2}  {'score':>7}  {'cosine':>6}  {'paragraph':<22}  text")
    for n, h in enumerate(hits, start=1):
        cos = f"{h.dense_score:.3f}" if h.dense_score is not None else "-"
        print(f"{n:>2}  {h.score:>7.4f}  {cos:>6}  {h.paragraph.paragraph_id:<22}  "
              f"{h.paragraph.article_title} | {_snippet(h.paragraph.text)}")
    print(f"({args.mode or settings.retrieval.mode}; query embedding {timings['embed_ms']:.0f} ms, "
          f"total {timings['total_ms']:.0f} ms)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command to the CLI."""
    p = sub.add_parser("search", help="find the paragraphs that best match a query")
    p.add_argument("query", help="the question or keywords")
    p.add_argument("--k", type=int, default=5, help="number of paragraphs (default 5)")
    p.add_argument("--mode", choices=["hybrid", "dense", "keyword"], default=None,
                   help="retrieval mode (default from settings: hybrid)")
    p.add_argument("--json", action="store_true", help="print the hits as a JSON list")
    p.set_defaults(func=run)
