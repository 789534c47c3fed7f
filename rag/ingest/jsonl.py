"""JSONL corpora (.jsonl, .jsonl.xz/.gz/.bz2): one document a line, streamed."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rag.errors import IngestError
from rag.ingest.blocks import split_lines
from rag.ingest.build import DocMeta, make_article_id
from rag.ingest.decode import open_binary
from rag.ingest.page import articles_from_blocks
from rag.ingest.result import Problem
from rag.records import Article

log = logging.getLogger(__name__)
_META_FIELDS = ("title", "published", "url", "source")
_STREAM_ERRORS = (EOFError, OSError, ValueError)


def iter_jsonl_articles(
    path: Path,
    limit: int | None = None,
    problems: list[Problem] | None = None,
    source_path: str | None = None,
) -> Iterator[Article]:
    """Stream one Article per valid line; malformed lines are reported (with line numbers) and skipped.

    Raises IngestError when the file is binary or its compressed stream is truncated or corrupt.
    """
    name = source_path if source_path is not None else path.name
    produced = 0
    for lineno, raw in _lines(path):
        if limit is not None and produced >= limit:
            return
        try:
            article = parse_jsonl_line(raw, name, lineno)
        except IngestError as exc:
            _report(problems, Problem(name, exc.message, lineno))
            continue
        if article is not None:
            produced += 1
            yield article


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) for each line; stream faults become IngestError."""
    try:
        with open_binary(path) as fh:
            for lineno, raw in enumerate(fh, start=1):
                if lineno == 1 and b"\x00" in raw:
                    raise IngestError("binary file (NUL bytes)")
                yield lineno, raw
    except _STREAM_ERRORS as exc:
        raise IngestError(f"truncated or corrupt file: {exc}") from exc


def _report(problems: list[Problem] | None, problem: Problem) -> None:
    if problems is None:
        log.warning("%s", problem)
    else:
        problems.append(problem)


def _decode_line(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError("undecodable line (neither UTF-8 nor GB18030)")


def parse_jsonl_line(raw: bytes, source_path: str, lineno: int) -> Article | None:
    """One JSONL line -> Article (None for a blank line); a malformed line raises IngestError."""
    line = _decode_line(raw).strip()
    if not line:
        return None
    try:
        doc = json.loads(line)
    except json.JSONDecodeError as exc:
        raise IngestError(f"malformed JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(doc, dict):
        raise IngestError("a line must hold a JSON object")
    return article_from_doc(doc, source_path)


def _optional_str(doc: dict[str, Any], key: str) -> str | None:
    value = doc.get(key)
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, (int, float)):
        return str(value)
    raise IngestError(f"field {key!r} must be a string")


def article_from_doc(doc: dict[str, Any], source_path: str) -> Article:
    """A JSON document {id, text, title?, published?, url?, source?} -> one Article."""
    text = doc.get("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError("missing or empty 'text'")
    doc_id = _optional_str(doc, "id") or make_article_id(source_path, "", text)
    meta = DocMeta(source_path, doc_id, *(_optional_str(doc, k) for k in _META_FIELDS))
    return articles_from_blocks(split_lines(text), meta, single=True)[0]
