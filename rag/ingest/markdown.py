"""Markdown files (.md): '#' starts an article, '##' a section; paragraphs keep their offsets."""

from __future__ import annotations

import re
from functools import reduce

from rag.ingest.blocks import Block, Hint
from rag.ingest.build import DocMeta
from rag.ingest.page import articles_from_blocks
from rag.records import Article
from rag.text import glue

_ATX = re.compile(r"(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"(```|~~~)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_LEAD = re.compile(r"^(?:>\s*)+|^(?:[-*+]|\d+[.)])\s+")
_RULE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})$")
_FRONT_KEYS = {
    "title": "title",
    "date": "published",
    "published": "published",
    "url": "url",
    "source": "source",
}


def _inline(text: str) -> str:
    """Strip inline Markdown (images, links, emphasis, quote and list markers)."""
    text = _LEAD.sub("", text.strip())
    return _EMPHASIS.sub("", _LINK.sub(r"\1", text)).strip()


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """YAML-like front matter ('---' ... '---') at the top: (fields, lines used)."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    fields: dict[str, str] = {}
    for k, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return fields, k + 1
        key, _, value = line.partition(":")
        if key.strip().lower() in _FRONT_KEYS:
            fields[_FRONT_KEYS[key.strip().lower()]] = value.strip().strip("\"'")
    return {}, 0


def markdown_blocks(text: str) -> tuple[list[Block], dict[str, str]]:
    """Blocks of a Markdown text (paragraph lines joined, markup stripped) and its front matter."""
    lines = text.splitlines(keepends=True)
    front, skip = _front_matter(lines)
    offset = sum(len(line) for line in lines[:skip])
    blocks: list[Block] = []
    para: list[tuple[str, int, int]] = []
    in_fence = False
    for raw in lines[skip:]:
        start, line = offset, raw.strip()
        offset += len(raw)
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence or _FENCE.match(line) or not line or _RULE.match(line):
            _flush(para, blocks)
            continue
        begin = start + len(raw) - len(raw.lstrip())
        heading, image = _ATX.match(line), _IMAGE.fullmatch(line)
        if heading or image:
            _flush(para, blocks)
            hint: Hint = (
                "caption" if image else ("title" if len(heading.group(1)) == 1 else "heading")
            )  # type: ignore[union-attr]
            body = image.group(1) if image else heading.group(2)  # type: ignore[union-attr]
            if body.strip():
                blocks.append(Block(_inline(body), begin, begin + len(line), hint=hint))
            continue
        para.append((_inline(line), begin, begin + len(line)))
    _flush(para, blocks)
    return blocks, front


def _flush(para: list[tuple[str, int, int]], blocks: list[Block]) -> None:
    """Close the current paragraph: its soft-wrapped lines become one block."""
    if para:
        text = reduce(glue, (t for t, _, _ in para), "")
        if text:
            blocks.append(Block(text, para[0][1], para[-1][2]))
        para.clear()


def parse_markdown(text: str, source_path: str = "") -> list[Article]:
    """Articles of one Markdown file."""
    blocks, front = markdown_blocks(text)
    meta = DocMeta(source_path=source_path, **{k: v or None for k, v in front.items()})
    return articles_from_blocks(blocks, meta)
