"""What an ingest run returns: articles, skipped files, problems and counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.records import Article


@dataclass(frozen=True)
class SkippedFile:
    """A corpus file that yielded nothing, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Problem:
    """A recoverable fault inside a file (e.g. one malformed JSONL line); the rest still ingests."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class IngestStats:
    """Counts shown in the ingest summary."""

    files_read: int = 0
    articles: int = 0
    paragraphs: int = 0
    captions: int = 0
    rejoined_breaks: int = 0
    duplicates_dropped: int = 0


@dataclass(frozen=True)
class IngestResult:
    """Everything one ingest run produced."""

    articles: tuple[Article, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    stats: IngestStats = field(default_factory=IngestStats)
    problems: tuple[Problem, ...] = ()


def count_stats(articles: tuple[Article, ...], files_read: int) -> IngestStats:
    """Tally articles, paragraphs, captions, rejoined breaks and dropped duplicates."""
    paragraphs = sum(len(a.paragraphs) for a in articles)
    rejoined = sum(
        1 for a in articles for p in a.paragraphs for r in p.repairs if r.startswith("rejoined")
    )
    return IngestStats(
        files_read=files_read,
        articles=len(articles),
        paragraphs=paragraphs,
        captions=sum(len(a.captions) for a in articles),
        rejoined_breaks=rejoined,
        duplicates_dropped=sum(len(a.duplicates) for a in articles),
    )
