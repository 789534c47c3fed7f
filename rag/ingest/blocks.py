"""Blocks of text with their source offsets, and the layout cues that classify them (general rules only)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from rag.text import ends_sentence

Hint = Literal["", "title", "heading", "caption"]
Kind = Literal["body", "head", "title", "sub", "byline", "endline", "qa", "caption", "credit"]

_NAME = r"[\u4e00-\u9fff·]{2,4}"
_SEP = r"[ \u3000\t]+"
_BYLINE = re.compile(rf"{_NAME}(?:{_SEP}{_NAME}){{1,5}}")
_PAREN_NAMES = re.compile(rf"[(（]\s*({_NAME}(?:{_SEP}{_NAME}){{0,5}})\s*[)）]")
_SUB = re.compile(r"(?:[—―─]{1,4}|[-－]{2,4})(?=\S)")
_QA = re.compile(r"(?:问|答|Q|A)[：:]")
_CREDIT = re.compile(r"(?:供图|摄|摄影|制图|图片来源.*)$")
_CAPTION_START = re.compile(r"图[为：:]|图片[：:]|上图|下图|左图|右图")
# Sentence punctuation inside a line: a headline or a section head never holds a whole sentence.
_INNER_STOP = re.compile(r"[。！？!?；;]")
_CLAUSE = re.compile(r"[，、,]")
_OPEN_END = "，、；：,;:（(“‘《【—-"

MAX_HEAD = 40
MIN_HEAD = 4
MAX_SUB = 60
MAX_CREDIT = 30
MAX_CAPTION = 80


@dataclass
class Block:
    """A run of source text (a line or a joined run of lines) with its offsets and layout kind."""

    text: str
    start: int
    end: int
    hint: Hint = ""
    kind: Kind = "body"
    pieces: list[tuple[int, int]] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    end_byline: str = ""
    marks: str = ""

    def with_kind(self, kind: Kind) -> Block:
        """A copy of this block with another kind."""
        return replace(self, kind=kind)


# A run of 3+ spaces, or 2+ ideographic spaces (a paragraph indent), inside one line: a line break
# lost by a scraper ("原标题：…        郑爽 摄    正文…"), so the line is split there.
# Reposted news also glues the portal's stamp and the original headline to the text: "2023-07-25
# 18:18，正文：原标题：…". The line is split after "正文：" and before "原标题：" too.
_LOST_BREAK = re.compile(r"\s{3,}|\u3000{2,}|(?<=正文[：:])|(?=原标题[：:])")
# A portal's time stamp alone ("2023-07-25 18:18，正文："): kept aside like a photo credit
_STAMP = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
                    r"[，,\s]*(?:正文[：:])?|正文[：:]")
ORIGINAL_TITLE = re.compile(r"原标题[：:]\s*")


# "原标题：…33名士兵死亡海外网8月14日电 据…": the dateline's date starts the report's text
_DATELINE = re.compile(r"\d{1,2}月\d{1,2}日(?:电|消息|讯)")


def _split_dateline(text: str, start: int) -> list[Block]:
    """A block that begins with "原标题：" and runs on into the report, cut before its dateline."""
    m = _DATELINE.search(text, 0, MAX_SUB + 10) if ORIGINAL_TITLE.match(text) else None
    if m is None or m.start() <= 4:
        return [Block(text, start, start + len(text))]
    head, rest = text[: m.start()].rstrip(), text[m.start():]
    return [Block(head, start, start + len(head)), Block(rest, start + m.start(), start + len(text))]


def split_lines(text: str, base: int = 0) -> list[Block]:
    """Every non-blank line of text as a Block, stripped, with offsets into the text; a line holding
    a lost line break (see _LOST_BREAK) gives one Block per piece."""
    blocks: list[Block] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        cut = 0
        for piece_end, next_start in [(m.start(), m.end()) for m in _LOST_BREAK.finditer(line)] + [
                (len(line), len(line))]:
            piece = line[cut:piece_end]
            stripped = piece.strip()
            if stripped:
                start = base + pos + cut + (len(piece) - len(piece.lstrip()))
                blocks.extend(_split_dateline(stripped, start))
            cut = next_start
        pos += len(line)
    return blocks


def is_credit(text: str) -> bool:
    """A photo credit: a short line ending in 供图/摄/摄影, holding no sentence punctuation."""
    return (
        len(text) <= MAX_CREDIT
        and _CREDIT.search(text) is not None
        and not _INNER_STOP.search(text)
    )


def is_byline(text: str) -> bool:
    """A line made only of 2-6 short Chinese person names separated by spaces."""
    return _BYLINE.fullmatch(text) is not None


def paren_byline_at_end(text: str) -> tuple[str, str] | None:
    """(names, text before) when text ends with '(names)' after a finished sentence or alone."""
    if not text or text[-1] not in ")）":
        return None
    cut = max(text.rfind("("), text.rfind("（"))
    if cut < 0:
        return None
    match = _PAREN_NAMES.fullmatch(text[cut:])
    before = text[:cut].rstrip()
    if match is None or (before and not ends_sentence(before)):
        return None
    return match.group(1), before


def is_head(text: str) -> bool:
    """A headline or section-head candidate: short, no sentence inside, not ending mid-clause."""
    if not MIN_HEAD <= len(text) <= MAX_HEAD or _INNER_STOP.search(text) or text[-1] in _OPEN_END:
        return False
    if ends_sentence(text) and text[-1] not in "”」』":
        return False
    clauses = _CLAUSE.split(text)
    # A head with a comma has balanced clauses; "……不失控，西" is a sentence cut by the column.
    return len(clauses) <= 3 and min(len(c.strip()) for c in clauses) >= 4


def classify(block: Block) -> Kind:
    """The layout kind of one block, from its own text and hint."""
    text = block.text
    if block.hint == "title":
        return "title"
    if block.hint == "caption":
        return "caption"
    if _QA.match(text):
        return "qa"
    if len(text) <= MAX_SUB and _SUB.match(text):
        return "sub"
    if is_byline(text):
        return "byline"
    paren = paren_byline_at_end(text)
    if paren is not None and not paren[1]:
        return "endline"
    if is_credit(text) or _STAMP.fullmatch(text):
        return "credit"
    if (m := ORIGINAL_TITLE.match(text)) and len(text) - m.end() <= MAX_SUB and not _INNER_STOP.search(text):
        return "title"
    if len(text) <= MAX_CAPTION and _CAPTION_START.match(text):
        return "caption"
    if block.hint == "heading" or is_head(text):
        return "head"
    return "body"
