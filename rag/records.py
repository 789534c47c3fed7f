"""Typed, frozen records that flow through the pipeline: files -> articles -> chunks -> hits -> answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ParagraphKind = Literal["body", "heading", "qa", "caption", "byline"]


class Record(BaseModel):
    """Base of all records: immutable and JSON-serialisable."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Paragraph(Record):
    """One citable paragraph of an article, with its exact source text."""

    paragraph_id: str = Field(description='Stable id, f"{article_id}#p{n}".')
    article_id: str
    article_title: str
    n: int = Field(description="Position of the paragraph inside its article (0-based).")
    kind: ParagraphKind = "body"
    section: str = Field("", description="The section sub-head the paragraph sits under, if any.")
    text: str = Field(description="Exact source text (layout repairs applied), used for quoting.")
    norm: str = Field(description="Normalised text for search (width, spaces).")
    source_path: str = ""
    char_start: int = Field(-1, description="Offset of the first source character in the file.")
    char_end: int = Field(-1, description="Offset after the last source character in the file.")
    repairs: tuple[str, ...] = Field((), description="Layout repairs applied to this paragraph.")


class Caption(Record):
    """A photo caption or credit: kept, but not indexed as body text."""

    article_id: str
    text: str
    char_start: int = -1
    char_end: int = -1


class DroppedDuplicate(Record):
    """A passage printed twice; the copy is dropped and its place recorded."""

    article_id: str
    text: str
    char_start: int
    char_end: int
    duplicate_of: str = Field(description="paragraph_id of the kept copy.")


class Article(Record):
    """One news article with its metadata and paragraphs."""

    article_id: str
    title: str
    subtitle: str = ""
    byline: str = ""
    source_path: str = ""
    published: str | None = None
    url: str | None = None
    source: str | None = None
    paragraphs: tuple[Paragraph, ...] = ()
    captions: tuple[Caption, ...] = ()
    duplicates: tuple[DroppedDuplicate, ...] = ()
    title_derived: bool = Field(
        False, description="True when the source had no headline and the title was cut from the text."
    )
    layout_marks: str = Field(
        "", description="Layout punctuation stripped from subtitle and byline ('——', '()'), kept for accounting."
    )


class Chunk(Record):
    """A unit of indexing: a paragraph or a sentence-aligned window of one."""

    chunk_id: str = Field(description='f"{paragraph_id}#c{k}".')
    article_id: str
    article_title: str
    paragraph_ids: tuple[str, ...]
    text: str = Field(description="The chunk's own text (a slice of the paragraph).")
    start: int = Field(description="Offset of the chunk inside its first paragraph's text.")
    end: int
    content_hash: str = ""

    @property
    def embed_text(self) -> str:
        """What gets embedded: headline + text, so the article context is searchable."""
        return f"{self.article_title}\n{self.text}" if self.article_title else self.text


class MetadataFilter(Record):
    """Which articles retrieval may draw from: a publication-date range (inclusive, compared as
    ISO text on the bound's length, so "2023-08" is all of August) and a set of sources."""

    published_from: str | None = None
    published_to: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """Whether the filter excludes anything."""
        return bool(self.published_from or self.published_to or self.sources)

    def allows(self, article: Article) -> bool:
        """Whether `article` passes (an article without a date fails a date bound)."""
        if self.sources and (article.source or "").strip().casefold() not in {
                s.strip().casefold() for s in self.sources}:
            return False
        if self.published_from or self.published_to:
            date = (article.published or "").strip().replace("/", "-")
            if not date:
                return False
            if self.published_from and date[:len(self.published_from)] < self.published_from:
                return False
            if self.published_to and date[:len(self.published_to)] > self.published_to:
                return False
        return True


class Turn(Record):
    """One earlier turn of a conversation, oldest first (OpenAI-style roles); the chain condenses
    follow-ups with them, eval sets and the API hand them in."""

    role: Literal["user", "assistant"]
    content: str


class Hit(Record):
    """One retrieved paragraph with its scores."""

    paragraph: Paragraph
    chunk_id: str
    chunk_text: str
    score: float = Field(description="Fused score used for ranking (higher is better).")
    dense_score: float | None = Field(None, description="Cosine similarity of the best chunk.")
    keyword_score: float | None = None
    dense_rank: int | None = None
    keyword_rank: int | None = None


class Citation(Record):
    """A numbered citation that resolves to one paragraph and the sentence that supports it."""

    n: int
    article_id: str
    article_title: str
    paragraph_id: str
    text: str
    quote: str
    score: float


class Answer(Record):
    """The result of a question: answer text with [n] markers, citations and timings."""

    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    related: tuple[Citation, ...] = Field(
        (), description="Closest paragraphs shown when the answer is not found."
    )
    standalone_question: str = ""
    mode: str = "extractive"
    flags: tuple[str, ...] = ()
    timings_ms: dict[str, float] = Field(default_factory=dict)
