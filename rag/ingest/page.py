"""Plain-text newspaper pages (.txt): lines -> repaired blocks -> articles."""

from __future__ import annotations

from collections.abc import Sequence

from rag.ingest.blocks import Block, split_lines
from rag.ingest.build import DocMeta, build_articles
from rag.ingest.repair import prepare
from rag.ingest.segment import segment_page, single_draft
from rag.records import Article


def articles_from_blocks(
    blocks: Sequence[Block], meta: DocMeta, *, single: bool = False
) -> list[Article]:
    """Repair, segment and build articles from blocks of any format."""
    prepared = prepare(blocks)
    drafts = [single_draft(prepared)] if single else segment_page(prepared)
    return build_articles(drafts, meta)


def parse_page(text: str, source_path: str = "") -> list[Article]:
    """Segment the text of one newspaper page into articles."""
    return articles_from_blocks(split_lines(text), DocMeta(source_path=source_path))
