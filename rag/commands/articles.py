"""`rag add FILE…`, `rag remove ID…`, `rag articles`: edit and list the corpus from the command line.

Edits go through the same ArticleEditor as the API: the corpus folder and the index are updated
together (only the changed articles are embedded). A server running over the same folders sees
them after a restart (its own edits it sees at once).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rag.config import Settings


def _editor(settings: Settings):  # type: ignore[no-untyped-def]
    from rag.editing import ArticleEditor
    from rag.index.builder import ensure_index
    from rag.index.embedders import make_embedder

    embedder = make_embedder(settings)
    index = ensure_index(settings, embedder)
    return ArticleEditor(settings, embedder, lambda: index)


def _print(report: object, as_json: bool) -> None:
    from rag.commands.output import dump_json
    from rag.editing import EditReport, report_json

    assert isinstance(report, EditReport)
    if as_json:
        dump_json(report_json(report))
    else:
        print(report.summary())


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    """Add every article of the files (kept under corpus/added/) and update the index."""
    from rag.errors import ArticleError

    files = []
    for path in args.files:
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as exc:
            raise ArticleError(f"cannot read {path}: {exc.strerror or exc}") from exc
    _print(_editor(settings).add_files(files), args.json)
    return 0


def run_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Withdraw articles by id and update the index."""
    _print(_editor(settings).remove(args.ids), args.json)
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """List the articles of the current index (or of the corpus folder when there is none)."""
    from rag.commands.output import dump_json
    from rag.index.layout import current_dir
    from rag.ingest import load_corpus, read_ingest

    directory = current_dir(settings.index_dir)
    articles = read_ingest(directory) if directory else load_corpus(settings.corpus_dir).articles
    if args.json:
        dump_json([{"article_id": a.article_id, "title": a.title, "published": a.published,
                    "source": a.source, "source_path": a.source_path,
                    "paragraphs": len(a.paragraphs)} for a in articles])
        return 0
    for a in articles:
        print(f"{a.article_id}\t{a.published or '-'}\t{a.source or '-'}\t{len(a.paragraphs)}\t{a.title}")
    print(f"{len(articles)} articles")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-commands to the CLI."""
    p = sub.add_parser("add", help="add the articles of files (.txt .md .html .jsonl[.xz|.gz]) "
                       "to the corpus and the index")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--json", action="store_true", help="print what changed as JSON")
    p.set_defaults(func=run_add)
    p = sub.add_parser("remove", help="withdraw articles by id from the corpus and the index")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--json", action="store_true", help="print what changed as JSON")
    p.set_defaults(func=run_remove)
    p = sub.add_parser("articles", help="list the articles (id, date, source, paragraphs, title)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_list)
