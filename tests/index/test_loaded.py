"""What a loaded index says about its articles (rag/index/loaded.py)."""

from __future__ import annotations

from rag.index.loaded import opening_text
from rag.records import Article, Caption, Paragraph
from rag.text import publication_year


def _article(paragraph_start: int, captions: tuple[Caption, ...] = (), published: str | None = None) -> Article:
    p = Paragraph(paragraph_id="a#p0", article_id="a", article_title="t", n=0, text="今年上半年，营收增长11%。", norm="",
                  char_start=paragraph_start, char_end=paragraph_start + 13)
    return Article(article_id="a", title="t", paragraphs=(p,), captions=captions, published=published)


def test_a_scraped_reports_dateline_kept_as_a_caption_dates_it() -> None:
    head = Caption(article_id="a", text="2023-08-14 12:18，正文：", char_start=0, char_end=20)
    art = _article(20, (head,))
    assert opening_text(art) == head.text
    assert publication_year(art.published, opening_text(art)) == "2023"  # what '今年' in it means


def test_a_caption_after_the_first_paragraph_does_not_open_it_and_published_wins() -> None:
    late = Caption(article_id="a", text="2019-01-01 图片来源", char_start=40, char_end=55)
    art = _article(0, (late,))
    assert opening_text(art) == art.paragraphs[0].text
    assert publication_year(art.published, opening_text(art)) is None
    assert publication_year("2021-05-06", opening_text(_article(20, (late,)))) == "2021"
