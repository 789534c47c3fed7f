"""The inspectable ingest output: index_dir/articles.jsonl, one Article a line, written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from rag.errors import IndexCorruptError, IndexError_
from rag.ingest.result import IngestResult
from rag.records import Article

ARTICLES_FILE = "articles.jsonl"


def write_ingest(result: IngestResult, index_dir: Path) -> Path:
    """Write every article as one JSON line to index_dir/articles.jsonl (temp file + os.replace)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    target = index_dir / ARTICLES_FILE
    fd, tmp = tempfile.mkstemp(prefix=".articles-", suffix=".tmp", dir=index_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for article in result.articles:
                fh.write(article.model_dump_json())
                fh.write("\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_ingest(index_dir: Path) -> tuple[Article, ...]:
    """Read back the articles written by write_ingest."""
    path = index_dir / ARTICLES_FILE
    if not path.is_file():
        raise IndexError_(f"no ingested corpus at {path}", hint="run `rag ingest` first")
    articles = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                articles.append(Article.model_validate_json(line))
            except ValidationError as exc:
                raise IndexCorruptError(
                    f"{path}:{lineno}: not an article ({exc.error_count()} errors)"
                ) from exc
    return tuple(articles)
