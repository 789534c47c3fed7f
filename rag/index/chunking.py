"""Paragraphs -> chunks. Chunks follow paragraphs; a long paragraph is split at Chinese sentence ends."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from rag.config import ChunkSettings
from rag.records import Article, Chunk, Paragraph
from rag.text import sentence_spans

INDEXED_KINDS = frozenset({"body", "heading", "qa"})

# Where to cut a single over-long sentence: after a comma-like mark if possible.
_SOFT_BREAK = re.compile(r"[，、：,:]")


def _cut_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut one sentence longer than max_chars at soft breaks (or hard, when there are none)."""
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        window = text[start : start + max_chars]
        breaks = [m.end() for m in _SOFT_BREAK.finditer(window) if m.end() > max_chars // 2]
        cut = start + (breaks[-1] if breaks else max_chars)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def window_spans(text: str, max_chars: int, overlap_sentences: int) -> list[tuple[int, int]]:
    """Sentence-aligned windows of at most max_chars, repeating `overlap_sentences` between them."""
    if len(text) <= max_chars:
        return [(0, len(text))]
    units: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        units.extend(_cut_long(text, s, e, max_chars))
    windows: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j = i + 1
        while j < len(units) and units[j][1] - units[i][0] <= max_chars:
            j += 1
        windows.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # step back for overlap, but always make progress
        i = max(i + 1, j - overlap_sentences)
    return windows


def content_hash(text: str) -> str:
    """Stable short hash of a chunk's embedded text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def chunk_paragraph(paragraph: Paragraph, settings: ChunkSettings) -> list[Chunk]:
    """The chunks of one paragraph, with offsets into the paragraph's text."""
    chunks = []
    for k, (s, e) in enumerate(
        window_spans(paragraph.text, settings.max_chars, settings.overlap_sentences)
    ):
        piece = paragraph.text[s:e].strip()
        if not piece:
            continue
        lead = len(paragraph.text[s:e]) - len(paragraph.text[s:e].lstrip())
        start = s + lead
        chunk = Chunk(
            chunk_id=f"{paragraph.paragraph_id}#c{k}",
            article_id=paragraph.article_id,
            article_title=paragraph.article_title,
            paragraph_ids=(paragraph.paragraph_id,),
            text=piece,
            start=start,
            end=start + len(piece),
        )
        chunks.append(chunk.model_copy(update={"content_hash": content_hash(chunk.embed_text)}))
    return chunks


def chunk_articles(articles: Iterable[Article], chunk_settings: ChunkSettings) -> list[Chunk]:
    """Chunks of every indexed paragraph (body, heading, qa) of every article, in order."""
    chunks: list[Chunk] = []
    for article in articles:
        for paragraph in article.paragraphs:
            if paragraph.kind in INDEXED_KINDS and paragraph.text.strip():
                chunks.extend(chunk_paragraph(paragraph, chunk_settings))
    return chunks
