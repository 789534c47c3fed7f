"""HTML files (.html/.htm): article text only, never navigation, scripts or styles."""

from __future__ import annotations

from html.parser import HTMLParser

from rag.ingest.blocks import Block, Hint
from rag.ingest.build import DocMeta
from rag.ingest.page import articles_from_blocks
from rag.records import Article

SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "button",
        "select",
        "svg",
        "iframe",
    ]
)
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dd",
        "dt",
        "blockquote",
        "figcaption",
        "figure",
        "td",
        "th",
        "tr",
        "pre",
        "br",
        "hr",
        "ul",
        "ol",
        "table",
    ]
)
_HINTS: dict[str, Hint] = {"h1": "title", "figcaption": "caption"} | {
    f"h{k}": "heading" for k in range(2, 7)
}


class _TextCollector(HTMLParser):
    """Collects visible text per block element; counts depth inside skipped elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, Hint]] = []
        self.parts: list[str] = []
        self.hints: list[Hint] = []
        self.skip_depth = 0
        self.page_title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a block, a skipped region, or the <title>."""
        if tag == "title":
            self.in_title = True
        elif tag in SKIP_TAGS:
            self.skip_depth += 1
        elif tag in BLOCK_TAGS and not self.skip_depth:
            self.flush()
            if tag in _HINTS:
                self.hints.append(_HINTS[tag])

    def handle_endtag(self, tag: str) -> None:
        """Close a block or a skipped region."""
        if tag == "title":
            self.in_title = False
        elif tag in SKIP_TAGS:
            self.skip_depth = max(self.skip_depth - 1, 0)
        elif tag in BLOCK_TAGS and not self.skip_depth:
            self.flush()
            if tag in _HINTS and self.hints:
                self.hints.pop()

    def handle_data(self, data: str) -> None:
        """Keep visible text."""
        if self.in_title:
            self.page_title.append(data)
        elif not self.skip_depth:
            self.parts.append(data)

    def flush(self) -> None:
        """End the current run of text as one block."""
        text = " ".join("".join(self.parts).split())
        self.parts.clear()
        if text:
            self.blocks.append((text, self.hints[-1] if self.hints else ""))


def html_blocks(text: str) -> tuple[list[Block], str]:
    """Visible text blocks of an HTML document (offsets unknown: -1) and its <title>."""
    collector = _TextCollector()
    collector.feed(text)
    collector.close()
    collector.flush()
    blocks = [Block(t, -1, -1, hint=h) for t, h in collector.blocks]
    return blocks, " ".join("".join(collector.page_title).split())


def parse_html(text: str, source_path: str = "") -> list[Article]:
    """Articles of one HTML file; the <title> names an article that has no <h1>."""
    blocks, page_title = html_blocks(text)
    return articles_from_blocks(blocks, DocMeta(source_path=source_path, title=page_title or None))
