"""Article drafts -> Article records: stable ids, sections, normalised text, dropped duplicates."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.ingest.blocks import Block
from rag.ingest.dedup import find_duplicates
from rag.ingest.segment import TEXT_KINDS, Draft
from rag.records import Article, Caption, DroppedDuplicate, Paragraph, ParagraphKind
from rag.text import normalize_text, tidy_spaces

TITLE_CHARS = 30
_FIRST_SENTENCE = re.compile(r"[^。！？!?\n]*[。！？!?]?")
_KIND: dict[str, ParagraphKind] = {"head": "heading", "body": "body", "qa": "qa"}


@dataclass(frozen=True)
class DocMeta:
    """What a source says about a document beyond its text."""

    source_path: str
    article_id: str | None = None
    title: str | None = None
    published: str | None = None
    url: str | None = None
    source: str | None = None


def derive_title(text: str, limit: int = TITLE_CHARS) -> str:
    """A title cut from the first sentence of a text, at most `limit` characters (plus '…')."""
    match = _FIRST_SENTENCE.match(text.strip())
    first = (match.group(0) if match else "").strip().rstrip("。！？!?")
    first = first or text.strip()
    return first if len(first) <= limit else first[:limit].rstrip() + "…"


def make_article_id(source_path: str, title: str, first_text: str) -> str:
    """A content hash over file name, headline and first paragraph: stable across re-ingests."""
    key = f"{source_path}\x1f{title}\x1f{first_text}".encode()
    return hashlib.sha1(key).hexdigest()[:10]


def build_articles(drafts: Sequence[Draft], meta: DocMeta) -> list[Article]:
    """Turn the drafts of one document into Article records, dropping passages printed twice."""
    flat = [(d, b) for d, draft in enumerate(drafts) for b in draft.items if b.kind in _KIND]
    norms = [normalize_text(b.text) for _, b in flat]
    copies = find_duplicates(
        [n if b.kind in TEXT_KINDS else None for n, (_, b) in zip(norms, flat, strict=False)]
    )
    ids = _article_ids(drafts, flat, copies, meta)
    pids: dict[int, str] = {}
    numbered: list[list[tuple[int, int]]] = [[] for _ in drafts]
    for k, (d, _) in enumerate(flat):
        if k not in copies:
            pids[k] = f"{ids[d]}#p{len(numbered[d])}"
            numbered[d].append((k, len(numbered[d])))
    articles = []
    for d, draft in enumerate(drafts):
        paragraphs = _paragraphs(ids[d], _title(draft, meta), numbered[d], flat, norms, meta)
        dups = [_dropped(ids[d], flat[k][1], pids[copies[k]]) for k in copies if flat[k][0] == d]
        articles.append(_article(draft, ids[d], meta, paragraphs, dups))
    return articles


def _title(draft: Draft, meta: DocMeta) -> str:
    if draft.title is not None:
        return " ".join(draft.title.text.split())  # a headline's space parts two phrases: kept
    if meta.title:
        return " ".join(meta.title.split())
    first = next((b.text for b in draft.items if b.kind in _KIND), "")
    return derive_title(tidy_spaces(first)) if first else " ".join(draft.bylines)


def _article_ids(
    drafts: Sequence[Draft], flat: list[tuple[int, Block]], copies: dict[int, int], meta: DocMeta
) -> list[str]:
    """One id per draft: the given id for a single document, else a content hash made unique."""
    if meta.article_id is not None and len(drafts) == 1:
        return [meta.article_id]
    ids: list[str] = []
    for d, draft in enumerate(drafts):
        first = next((b.text for k, (dd, b) in enumerate(flat) if dd == d and k not in copies), "")
        base = make_article_id(meta.source_path, _title(draft, meta), first)
        if meta.article_id is not None:
            base = f"{meta.article_id}-{d}"
        candidate, n = base, 1
        while candidate in ids:
            n += 1
            candidate = f"{base}-{n}"
        ids.append(candidate)
    return ids


def _paragraphs(
    article_id: str,
    title: str,
    numbered: list[tuple[int, int]],
    flat: list[tuple[int, Block]],
    norms: list[str],
    meta: DocMeta,
) -> tuple[Paragraph, ...]:
    """Paragraph records of one article, each knowing the section head it sits under."""
    out: list[Paragraph] = []
    section = ""
    for k, n in numbered:
        block = flat[k][1]
        if block.kind == "head":
            section = block.text
        out.append(
            Paragraph(
                paragraph_id=f"{article_id}#p{n}",
                article_id=article_id,
                article_title=title,
                n=n,
                kind=_KIND[block.kind],
                section=section,
                text=tidy_spaces(block.text),
                norm=norms[k],
                source_path=meta.source_path,
                char_start=block.start,
                char_end=block.end,
                repairs=tuple(block.repairs),
            )
        )
    return tuple(out)


def _dropped(article_id: str, block: Block, duplicate_of: str) -> DroppedDuplicate:
    return DroppedDuplicate(
        article_id=article_id,
        text=block.text,
        char_start=block.start,
        char_end=block.end,
        duplicate_of=duplicate_of,
    )


def _article(
    draft: Draft,
    article_id: str,
    meta: DocMeta,
    paragraphs: tuple[Paragraph, ...],
    dups: list[DroppedDuplicate],
) -> Article:
    """Assemble the Article record; layout marks of every block are kept for accounting."""
    captions = tuple(
        Caption(article_id=article_id, text=b.text, char_start=b.start, char_end=b.end)
        for b in draft.items
        if b.kind in ("caption", "credit")
    )
    marks = draft.marks + "".join(b.marks for b in draft.items)
    return Article(
        article_id=article_id,
        title=_title(draft, meta),
        subtitle=" ".join(draft.subtitles),
        byline=" ".join(draft.bylines),
        source_path=meta.source_path,
        published=meta.published,
        url=meta.url,
        source=meta.source,
        paragraphs=paragraphs,
        captions=captions,
        duplicates=tuple(dups),
        title_derived=draft.title is None and not meta.title,
        layout_marks=marks,
    )
