"""Walk a corpus folder, dispatch each file to its format, collect articles, skips and problems."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from rag.errors import IngestError
from rag.ingest.decode import read_text
from rag.ingest.edits import read_withdrawn
from rag.ingest.html import parse_html
from rag.ingest.jsonl import iter_jsonl_articles
from rag.ingest.markdown import parse_markdown
from rag.ingest.page import parse_page
from rag.ingest.result import IngestResult, Problem, SkippedFile, count_stats
from rag.records import Article

log = logging.getLogger(__name__)
TextParser = Callable[[str, str], list[Article]]
TEXT_FORMATS: dict[str, TextParser] = {
    ".txt": parse_page,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".html": parse_html,
    ".htm": parse_html,
}
COMPRESSIONS = (".xz", ".gz", ".bz2")


def file_format(path: Path) -> str:
    """The format suffix of a file, looking through a compression suffix ('.jsonl' for x.jsonl.xz)."""
    suffixes = [s.lower() for s in path.suffixes]
    if len(suffixes) >= 2 and suffixes[-1] in COMPRESSIONS:
        return suffixes[-2]
    return suffixes[-1] if suffixes else ""


def iter_corpus_files(corpus_dir: Path) -> Iterator[Path]:
    """Every non-hidden file under corpus_dir (or corpus_dir itself if it is a file), sorted."""
    if corpus_dir.is_file():
        yield corpus_dir
        return
    for path in sorted(corpus_dir.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(corpus_dir).parts)
        if path.is_file() and not hidden:
            yield path


def read_file_articles(path: Path, name: str, problems: list[Problem]) -> list[Article]:
    """Articles of one corpus file; IngestError when the whole file must be skipped."""
    fmt = file_format(path)
    if fmt == ".jsonl":
        found: list[Problem] = []
        articles = list(iter_jsonl_articles(path, problems=found, source_path=name))
        problems.extend(found)
        if not articles and found:
            raise IngestError(f"no valid JSON lines ({len(found)} malformed)")
        return articles
    parser = TEXT_FORMATS.get(fmt)
    if parser is None:
        raise IngestError(f"unsupported file type {fmt or '(none)'!r}")
    return parser(read_text(path), name)


def load_corpus(corpus_dir: Path) -> IngestResult:
    """Read every file under corpus_dir into articles; a bad file is skipped with its reason, never raised.
    Articles withdrawn through `rag remove` or the API (listed in `.withdrawn.json`) are left out."""
    if not corpus_dir.exists():
        raise IngestError(
            f"corpus folder not found: {corpus_dir}", hint="set RAG_CORPUS_DIR or pass --corpus"
        )
    articles: list[Article] = []
    skipped: list[SkippedFile] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    files_read = 0
    withdrawn = read_withdrawn(corpus_dir)
    for path in iter_corpus_files(corpus_dir):
        name = path.name if corpus_dir.is_file() else path.relative_to(corpus_dir).as_posix()
        try:
            found = read_file_articles(path, name, problems)
        except IngestError as exc:
            log.warning("skipping %s: %s", name, exc.message)
            skipped.append(SkippedFile(name, exc.message))
            continue
        except Exception as exc:  # one unreadable file must never stop a corpus ingest
            log.exception("skipping %s after an unexpected error", name)
            skipped.append(SkippedFile(name, f"unexpected error: {exc!r}"))
            continue
        files_read += 1
        if withdrawn:
            found = [a for a in found if (a.source_path, a.article_id) not in withdrawn]
        articles.extend(_unique(found, seen, problems))
    kept = tuple(articles)
    return IngestResult(kept, tuple(skipped), count_stats(kept, files_read), tuple(problems))


def _unique(articles: list[Article], seen: set[str], problems: list[Problem]) -> Iterator[Article]:
    """Drop an article whose id was already ingested (the same document twice), reporting it."""
    for article in articles:
        if article.article_id in seen:
            problems.append(
                Problem(article.source_path, f"duplicate article id {article.article_id!r} dropped")
            )
            continue
        seen.add(article.article_id)
        yield article
