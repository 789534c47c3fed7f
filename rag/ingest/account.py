"""No-loss accounting: every non-whitespace source character ends up in exactly one place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rag.ingest.result import IngestResult
from rag.records import Article


@dataclass(frozen=True)
class Accounting:
    """Characters of the source that no record holds (missing) and record characters not in it (extra)."""

    missing: Counter[str]
    extra: Counter[str]

    @property
    def ok(self) -> bool:
        """True when the records hold exactly the source's non-whitespace characters."""
        return not self.missing and not self.extra


def _chars(text: str) -> Counter[str]:
    return Counter(ch for ch in text if not ch.isspace())


def accounted_text(article: Article) -> str:
    """All source text an article holds: headline, subtitle, byline, marks, paragraphs, captions, copies."""
    parts = [article.subtitle, article.byline, article.layout_marks]
    if not article.title_derived:
        parts.append(article.title)
    parts += [p.text for p in article.paragraphs]
    parts += [c.text for c in article.captions]
    parts += [d.text for d in article.duplicates]
    return "\n".join(parts)


def account(result_or_articles: IngestResult | Iterable[Article], source_text: str) -> Accounting:
    """Compare the multiset of non-whitespace characters of the source with what the articles hold."""
    articles = (
        result_or_articles.articles
        if isinstance(result_or_articles, IngestResult)
        else result_or_articles
    )
    held: Counter[str] = Counter()
    for article in articles:
        held.update(_chars(accounted_text(article)))
    source = _chars(source_text)
    return Accounting(missing=source - held, extra=held - source)
