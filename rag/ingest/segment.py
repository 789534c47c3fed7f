"""Split a page's repaired blocks into article drafts: headline, subtitle, bylines and items.

Cues, in order of strength: a head followed by a '——' subtitle or a byline line starts a story;
a byline in parentheses ends one, so a head right after it starts the next; a byline line with
body after it and no head starts a story whose headline is printed later (attached when a
head + subtitle turns up inside it); a story that already had a byline line and then ends on a
parenthesised byline really began at its last head, which is promoted to a headline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.ingest.blocks import Block

ITEM_KINDS = ("body", "qa", "head", "caption", "credit")
TEXT_KINDS = ("body", "qa")
_SUB_MARK = re.compile(r"(?:[—―─]{1,4}|[-－]{2,4})\s*")


@dataclass
class Draft:
    """An article being assembled from blocks, in source order."""

    title: Block | None = None
    subtitles: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    items: list[Block] = field(default_factory=list)
    marks: str = ""

    def has_text(self) -> bool:
        """True once a body or Q&A paragraph has been added."""
        return any(b.kind in TEXT_KINDS for b in self.items)

    def add_subtitle(self, block: Block) -> None:
        """Keep a '——' subtitle line, its dashes kept aside as layout marks."""
        dash = _SUB_MARK.match(block.text)
        cut = dash.end() if dash else 0
        self.marks += block.text[:cut]
        self.subtitles.append(block.text[cut:])

    def add_endline(self, block: Block) -> None:
        """Keep a '(names)' byline line, its brackets kept aside as layout marks."""
        self.marks += block.text[0] + block.text[-1]
        self.bylines.append(block.text[1:-1].strip())


class _Segmenter:
    """Walks the blocks of one page once, holding the article in progress."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self.blocks = blocks
        self.drafts: list[Draft] = []
        self.cur: Draft | None = None
        self.story_end = True

    def run(self) -> list[Draft]:
        """Segment every block and return the drafts."""
        i = 0
        while i < len(self.blocks):
            i = self.step(i)
        return [d for d in self.drafts if d.title or d.items or d.bylines or d.subtitles]

    def new(self, title: Block | None = None) -> Draft:
        """Open a new article draft."""
        self.cur = Draft(title=title, marks=title.marks if title is not None else "")
        self.drafts.append(self.cur)
        self.story_end = False
        return self.cur

    def kind_at(self, i: int) -> str:
        """The kind of block i, or '' past the end."""
        return self.blocks[i].kind if i < len(self.blocks) else ""

    def step(self, i: int) -> int:
        """Handle block i; return the index of the next unhandled block."""
        block = self.blocks[i]
        nxt = self.kind_at(i + 1)
        if block.kind == "title" or (block.kind == "head" and self.starts_story(nxt)):
            return self.headline(i)
        if block.kind == "byline":
            cur = self.cur
            if cur is None or self.story_end or cur.has_text():
                cur = self.new()
            cur.bylines.append(block.text)
            return i + 1
        if block.kind == "endline":
            self.end_story(block.text[1:-1].strip(), block)
            return i + 1
        if (
            block.kind == "sub"
            and self.cur is not None
            and not self.cur.items
            and not self.cur.subtitles
        ):
            self.cur.add_subtitle(block)
            return i + 1
        cur = self.cur
        if cur is None or (self.story_end and block.kind not in ("caption", "credit")):
            cur = self.new()
        cur.items.append(block if block.kind != "sub" else block.with_kind("body"))
        if block.end_byline:
            self.end_story(block.end_byline, None)
        return i + 1

    def starts_story(self, nxt: str) -> bool:
        """A head starts a story at the top, after a story's end, or above a subtitle/byline."""
        return self.cur is None or self.story_end or nxt in ("sub", "byline")

    def headline(self, i: int) -> int:
        """Open a story at a headline (or name the pending one); take its subtitles and bylines."""
        block, cur = self.blocks[i], self.cur
        pending = cur is not None and cur.title is None and cur.has_text() and not self.story_end
        if pending and block.kind == "head" and self.kind_at(i + 1) == "sub" and cur is not None:
            cur.title = block
            cur.marks += block.marks
        else:
            cur = self.new(block)
        self.story_end = False
        i += 1
        while self.kind_at(i) == "sub":
            cur.add_subtitle(self.blocks[i])
            i += 1
        while self.kind_at(i) == "byline":
            cur.bylines.append(self.blocks[i].text)
            i += 1
        return i

    def end_story(self, names: str, line: Block | None) -> None:
        """A parenthesised byline closes the story; promote a head if it began mid-article."""
        cur = self.cur or self.new()
        if cur.bylines and cur.title is not None:
            cur = self.promote_last_head(cur)
        if line is not None:
            cur.add_endline(line)
        else:
            cur.bylines.append(names)
        self.story_end = True

    def promote_last_head(self, cur: Draft) -> Draft:
        """Split cur at its last head that has text after it; that head becomes a new headline."""
        heads = [k for k, b in enumerate(cur.items) if b.kind == "head"]
        for k in reversed(heads):
            if any(b.kind in TEXT_KINDS for b in cur.items[k + 1 :]):
                new = Draft(title=cur.items[k], items=cur.items[k + 1 :])
                cur.items = cur.items[:k]
                self.drafts.append(new)
                self.cur = new
                return new
        return cur


def segment_page(blocks: Sequence[Block]) -> list[Draft]:
    """Split the repaired blocks of a newspaper page into article drafts."""
    return _Segmenter(blocks).run()


def single_draft(blocks: Sequence[Block]) -> Draft:
    """All blocks of one known article (a JSONL document) as one draft; never splits."""
    draft = Draft()
    for block in blocks:
        if block.kind == "title" and draft.title is None:
            draft.title = block
            draft.marks += block.marks
        elif block.kind == "sub" and not draft.items:
            draft.add_subtitle(block)
        elif block.kind == "byline":
            draft.bylines.append(block.text)
        elif block.kind == "endline":
            draft.add_endline(block)
        else:
            draft.items.append(block.with_kind("head") if block.kind == "title" else block)
        if block.end_byline:
            draft.bylines.append(block.end_byline)
    return draft
