"""Layout repair on classified blocks: captions out of the text flow, bylines off paragraph ends,
sentences cut across blocks rejoined, question and answer kept together."""

from __future__ import annotations

from collections.abc import Sequence

from rag.ingest.blocks import (
    MAX_CAPTION,
    MAX_HEAD,
    ORIGINAL_TITLE,
    Block,
    classify,
    paren_byline_at_end,
)
from rag.text import ends_sentence, glue

TEXT_KINDS = ("body", "qa")
SIDE_KINDS = ("caption", "credit")
MAX_TAIL_FRAGMENT = 8
MAX_HEAD_TAIL = 10


def prepare(blocks: Sequence[Block]) -> list[Block]:
    """Classify, pull captions aside, strip trailing bylines, rejoin broken sentences, pair Q&A."""
    classified = [_classified(b) for b in blocks]
    return pair_qa(rejoin(merge_captions(classified)))


def _classified(block: Block) -> Block:
    kind = classify(block)
    out = block.with_kind(kind)
    out.pieces = out.pieces or [(block.start, block.end)]
    if kind in ("sub", "endline", "byline"):
        return out
    if kind == "title" and (m := ORIGINAL_TITLE.match(out.text)):  # "原标题：…": the marker kept aside
        out.marks, out.text, out.start = out.text[: m.end()], out.text[m.end():], out.start + m.end()
        out.pieces = [(out.start, out.end)]
        return out
    paren = paren_byline_at_end(out.text) if kind in TEXT_KINDS else None
    if paren is not None and paren[1]:
        names, before = paren
        cut = max(out.text.rfind("("), out.text.rfind("（"))
        out.marks = out.text[cut] + out.text[-1]
        out.end_byline, out.text, out.end = names, before, out.start + len(before)
        out.pieces = [(out.start, out.end)]
    return out


def _can_caption(block: Block) -> bool:
    """A block printed right above a photo credit is its caption when it is short."""
    return (
        block.kind in ("body", "head", "caption")
        and len(block.text) <= MAX_CAPTION
        and (ends_sentence(block.text) or "，" not in block.text)
    )


def merge_captions(blocks: list[Block]) -> list[Block]:
    """Fold each credit line ('……供图', '……摄') together with the caption printed above it."""
    out: list[Block] = []
    for block in blocks:
        if block.kind == "credit" and out and _can_caption(out[-1]):
            cap = out.pop()
            merged = Block(f"{cap.text}\n{block.text}", cap.start, block.end, kind="caption")
            merged.pieces = cap.pieces + block.pieces
            out.append(merged)
        elif block.kind == "credit":
            out.append(block.with_kind("caption"))
        else:
            out.append(block)
    return out


def _next_text(blocks: Sequence[Block], i: int) -> Block | None:
    """The first block after index i that is not a caption."""
    return next((b for b in blocks[i + 1 :] if b.kind not in SIDE_KINDS), None)


def _joins(a: Block, b: Block, after: Block | None) -> bool:
    """True when b continues the sentence (or head) that a left unfinished."""
    if a.end_byline or ends_sentence(a.text):
        return False
    before_story = after is not None and after.kind in ("sub", "byline")
    if a.kind in TEXT_KINDS:
        short_tail = b.kind == "head" and len(b.text) <= MAX_TAIL_FRAGMENT and not before_story
        return b.kind == "body" or short_tail
    if a.kind == "head":
        head_tail = b.kind == "head" and len(a.text) + len(b.text) <= MAX_HEAD
        return head_tail or (
            b.kind == "body" and len(b.text) <= MAX_HEAD_TAIL and ends_sentence(b.text)
        )
    return False


def _absorb(a: Block, b: Block, across_caption: bool) -> None:
    """Append b's text to a, keeping both source spans."""
    a.text = glue(a.text, b.text)
    a.end = b.end
    a.pieces = a.pieces + b.pieces
    a.end_byline, a.marks = b.end_byline, a.marks + b.marks
    a.repairs = (
        a.repairs
        + b.repairs
        + ["rejoined_across_caption" if across_caption else "rejoined_broken_line"]
    )


def rejoin(blocks: list[Block]) -> list[Block]:
    """Rejoin sentences and heads cut across blocks, also across a caption printed in between."""
    out: list[Block] = []
    last: Block | None = None
    captions_between = False
    for i, block in enumerate(blocks):
        if block.kind in SIDE_KINDS:
            out.append(block)
            captions_between = True
            continue
        if last is not None and _joins(last, block, _next_text(blocks, i)):
            _absorb(last, block, captions_between)
        else:
            out.append(block)
            last = block
        captions_between = False
    return out


def pair_qa(blocks: list[Block]) -> list[Block]:
    """Keep a question ('问：') and the answer ('答：') that follows it as one block."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == "qa"
            and block.kind == "qa"
            and prev.text[0] in "问Q"
            and block.text[0] in "答A"
            and "\n" not in prev.text
            and not prev.end_byline
        ):
            prev.text = f"{prev.text}\n{block.text}"
            prev.end, prev.pieces = block.end, prev.pieces + block.pieces
            prev.end_byline, prev.marks = block.end_byline, prev.marks + block.marks
            prev.repairs = prev.repairs + block.repairs
        else:
            out.append(block)
    return out
