"""Corpus files -> Article records: one module per source format plus shared layout repair."""

from __future__ import annotations

from rag.ingest.account import Accounting, account
from rag.ingest.corpus import load_corpus
from rag.ingest.jsonl import iter_jsonl_articles
from rag.ingest.page import parse_page
from rag.ingest.result import IngestResult, IngestStats, Problem, SkippedFile
from rag.ingest.store import read_ingest, write_ingest
from rag.ingest.summary import format_summary
from rag.text import normalize_text  # re-exported: the retrieval evaluation compares in this form

__all__ = [
    "Accounting",
    "IngestResult",
    "IngestStats",
    "Problem",
    "SkippedFile",
    "account",
    "format_summary",
    "iter_jsonl_articles",
    "load_corpus",
    "normalize_text",
    "parse_page",
    "read_ingest",
    "write_ingest",
]
