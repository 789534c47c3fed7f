"""Request and response bodies of the JSON API (they are the OpenAPI document)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from rag.errors import InvalidQuestionError
from rag.records import Answer, Article, Citation, Hit, MetadataFilter, Paragraph, Turn
from rag.validate import check_question

# C0 and C1 controls but tab and newline, DEL, and UTF-16 surrogates (JSON "\ud800" decodes to a
# lone one, which no UTF-8 encoder, tokenizer or response can carry).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: str) -> str:
    """`value` without control characters (but \\n and \\t) and lone surrogates."""
    return _UNSAFE.sub("", value)


def _clean_input(value: object) -> object:
    return clean_text(value) if isinstance(value, str) else value  # a non-string fails as before


# Cleaned before validation: a lone surrogate would fail the length constraints (pydantic-core
# cannot read it) and the empty-question check must see what is left.
CleanText = Annotated[str, BeforeValidator(_clean_input)]
"""A string from a client, cleaned at the boundary before any other check sees it."""


class Body(BaseModel):
    """Strict request bodies: unknown fields are refused so typos surface."""

    model_config = ConfigDict(extra="forbid")


class ChatTurn(Body):
    """One earlier turn of the conversation."""

    role: Literal["user", "assistant"]
    content: CleanText = Field(max_length=20_000)

    def turn(self) -> Turn:
        """The record the pipeline takes."""
        return Turn(role=self.role, content=self.content)


def _non_empty(value: str) -> str:
    try:
        return check_question(value)  # the length limit is a setting: the pipeline checks it
    except InvalidQuestionError:
        raise ValueError("must not be empty") from None


_DATE = r"^\d{4}(-\d{2}(-\d{2}([ T]\d{2}(:\d{2}(:\d{2})?)?)?)?)?$"


class Filters(Body):
    """Metadata filters applied in retrieval (both the dense and the keyword side)."""

    published_from: str | None = Field(None, pattern=_DATE, examples=["2023-08-01"], description=
                                       "Only articles published on or after this ISO date (or "
                                       "month, year); articles without a date are left out.")
    published_to: str | None = Field(None, pattern=_DATE, examples=["2023-08"], description=
                                     "Only articles published on or before this date; '2023-08' "
                                     "includes all of August.")
    source: CleanText | list[CleanText] | None = Field(
        None, examples=[["长沙晚报"]], description="Only articles from these sources (one name "
        "or a list of up to 50; exact, case-insensitive).")

    @field_validator("source")
    @classmethod
    def _few_sources(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > 50:
            raise ValueError("at most 50 sources")
        return value

    def metadata_filter(self) -> MetadataFilter | None:
        """The filter record, or None when no field is set."""
        found = MetadataFilter(published_from=self.published_from, published_to=self.published_to,
                               sources=(self.source,) if isinstance(self.source, str)
                               else tuple(self.source or ()))
        return found if found.active else None


class AskRequest(Filters):
    """A question, optionally with the conversation so far."""

    question: CleanText = Field(description="The question, in Chinese.", examples=["天元区教育局的局长叫什么名字？"])
    history: list[ChatTurn] = Field(default_factory=list, max_length=50,
                                    description="Earlier turns, oldest first, for follow-up questions.")
    top_k: int | None = Field(None, ge=1, le=50, description="Paragraphs given to the answerer.")
    mode: Literal["extractive", "llm", "local", "auto"] | None = Field(
        None, description="Answerer (extractive, the on-box LLM, the configured LLM endpoint, or auto); "
        "default from settings.")

    _check = field_validator("question")(_non_empty)

    def turns(self) -> list[Turn]:
        """The earlier turns as the records the pipeline takes."""
        return [t.turn() for t in self.history]


class FeedbackRequest(Body):
    """A citizen's or staff member's rating of one answer."""

    answer_id: CleanText = Field(min_length=1, max_length=64, description="From the answer.",
                                 examples=["ans-0123456789abcdef0123"])
    rating: Literal["up", "down"]
    comment: CleanText | None = Field(
        None, max_length=2000, description="Optional; the correct answer when the rating is "
        "'down' (it becomes the expected answer of `rag questions --export-eval`).")


class SearchRequest(Filters):
    """A search for paragraphs."""

    query: CleanText = Field(examples=["家长学校"])
    k: int = Field(5, ge=1, le=50)
    mode: Literal["hybrid", "dense", "keyword"] | None = None

    _check = field_validator("query")(_non_empty)


class CitationOut(BaseModel):
    """A numbered citation: the paragraph and the sentence that supports the answer."""

    n: int
    article_id: str
    article_title: str
    paragraph_id: str
    text: str
    quote: str
    score: float

    @classmethod
    def of(cls, c: Citation) -> CitationOut:
        """From the record."""
        return cls(**c.model_dump(include=set(cls.model_fields)))


class AskResponse(BaseModel):
    """An answer with [n] markers that refer to `citations`."""

    answer: str
    abstained: bool
    citations: list[CitationOut]
    related: list[CitationOut] = Field(description="Possibly related paragraphs when abstained.")
    standalone_question: str = ""
    mode: str
    flags: list[str] = []
    timings_ms: dict[str, float]
    answer_id: str = Field("", description="Refer to this answer in POST /api/feedback.")

    @classmethod
    def of(cls, a: Answer, extra_ms: dict[str, float] | None = None,
           answer_id: str = "") -> AskResponse:
        """From the record, adding server-side timings and the answer's id."""
        return cls(answer=a.answer, abstained=a.abstained, answer_id=answer_id,
                   citations=[CitationOut.of(c) for c in a.citations],
                   related=[CitationOut.of(c) for c in a.related],
                   standalone_question=a.standalone_question, mode=a.mode, flags=list(a.flags),
                   timings_ms={**a.timings_ms, **(extra_ms or {})})


class SearchHit(BaseModel):
    """One ranked paragraph."""

    rank: int
    paragraph_id: str
    article_id: str
    article_title: str
    section: str = ""
    text: str
    score: float
    dense_score: float | None = None
    keyword_score: float | None = None

    @classmethod
    def of(cls, rank: int, h: Hit) -> SearchHit:
        """From the record."""
        p = h.paragraph
        return cls(rank=rank, paragraph_id=p.paragraph_id, article_id=p.article_id,
                   article_title=p.article_title, section=p.section, text=p.text, score=h.score,
                   dense_score=h.dense_score, keyword_score=h.keyword_score)


class SearchResponse(BaseModel):
    """Ranked paragraphs for a query."""

    query: str
    hits: list[SearchHit]
    timings_ms: dict[str, float]


class ParagraphOut(BaseModel):
    """A paragraph of an article, with its citable id."""

    paragraph_id: str
    n: int
    kind: str
    section: str = ""
    text: str

    @classmethod
    def of(cls, p: Paragraph) -> ParagraphOut:
        """From the record."""
        return cls(paragraph_id=p.paragraph_id, n=p.n, kind=p.kind, section=p.section, text=p.text)


class ArticleSummary(BaseModel):
    """An article without its text."""

    article_id: str
    title: str
    subtitle: str = ""
    byline: str = ""
    published: str | None = None
    source: str | None = None
    url: str | None = None
    paragraph_count: int

    @classmethod
    def of(cls, a: Article) -> ArticleSummary:
        """From the record."""
        return cls(article_id=a.article_id, title=a.title, subtitle=a.subtitle, byline=a.byline,
                   published=a.published, source=a.source, url=a.url,
                   paragraph_count=len(a.paragraphs))


class ArticleList(BaseModel):
    """Every article."""

    articles: list[ArticleSummary]


class ArticleDetail(ArticleSummary):
    """An article with its paragraphs."""

    paragraphs: list[ParagraphOut]

    @classmethod
    def full(cls, a: Article) -> ArticleDetail:
        """From the record, paragraphs included."""
        return cls(**ArticleSummary.of(a).model_dump(),
                   paragraphs=[ParagraphOut.of(p) for p in a.paragraphs])


class Probe(BaseModel):
    """Liveness and readiness, for load balancers and monitors: no paths, settings or versions."""

    status: Literal["ok", "starting", "error", "corrupt"] = Field(
        description="'corrupt': the index failed its integrity checks; /api/status names the file")
    ready: bool
    uptime_s: float


class Status(BaseModel):
    """Server, index, model and corpus status (for staff: it names paths and the index manifest)."""

    status: Literal["ok", "starting", "error", "corrupt"] = Field(
        description="'corrupt': the index failed its integrity checks (error names the file and "
        "the fix).")
    ready: bool
    uptime_s: float
    ready_after_s: float | None = None
    partial_after_s: float | None = Field(
        None, description="When a keyword-only pipeline began to answer (a corpus without an index).")
    progress: dict[str, Any] | None = Field(
        None, description="While starting: phase (keyword, dense, loading) and, for dense, chunks "
        "and embedded so far.")
    error: dict[str, str] | None = None
    pipeline: dict[str, Any] | None = None
    version: str


class ArticleIn(Body):
    """An article to add (POST /api/articles) or the new version of one (PUT /api/articles/{id})."""

    title: CleanText = Field(max_length=500, examples=["星沙镇新图书馆开馆"])
    text: CleanText = Field(description="The article's text; paragraphs separated by blank lines.",
                            examples=["星沙镇新图书馆今天开馆。\n\n馆长王小明说，馆内藏书三万册。"])
    published: CleanText | None = Field(None, max_length=40, examples=["2024-05-01"],
                                        description="Publication date, ISO (YYYY-MM-DD[ hh:mm]).")
    url: CleanText | None = Field(None, max_length=2000)
    source: CleanText | None = Field(None, max_length=200, examples=["长沙晚报"])
    id: CleanText | None = Field(None, max_length=120, description="The article id (POST only; "
                                 "default: a hash of title and text).")

    _check = field_validator("title", "text")(_non_empty)


class ParagraphCounts(BaseModel):
    """How many paragraphs an edit added, removed, changed, kept, and embedded again."""

    added: int
    removed: int
    changed: int
    unchanged: int
    re_embedded: int


class ArticleChange(BaseModel):
    """What an accepted edit changed, and how long it took until questions see it."""

    action: Literal["added", "updated", "removed"]
    article_ids: list[str]
    paragraphs: ParagraphCounts
    paragraph_ids: dict[str, list[str]] = Field(description="added, removed and changed ids.")
    chunks: dict[str, int] = Field(description="embedded now, reused from the cache, removed, total.")
    generation: str = Field(description="The index generation that now serves questions.")
    files: dict[str, list[str]] = Field(description="Corpus files written and deleted.")
    timings_ms: dict[str, float] = Field(description="Each step; total is until questions see it.")
