"""The UI's HTML: escaped text, linked markers, highlighted quotes, the not-found state."""

from __future__ import annotations

from rag.records import Answer, Article, Citation, Paragraph
from rag.ui.render import (
    answer_markdown,
    article_html,
    highlight,
    link_markers,
    sources_html,
    turn_record,
)

CITE = Citation(n=1, article_id="a", article_title="标题<b>", paragraph_id="a#p0",
                text="第一句。龙超俊说<好>。第三句。", quote="龙超俊说<好>。", score=0.9)


def test_markers_link_only_known_citations_and_text_is_escaped() -> None:
    html = link_markers("答案<script>[1]，另见[2]。", turn=3, known={1})
    assert '<a class="cite" href="#src-3-1"' in html
    assert "[2]" in html and "#src-3-2" not in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_highlight_marks_the_quote_inside_the_paragraph() -> None:
    assert highlight(CITE.text, CITE.quote) == "第一句。<mark>龙超俊说&lt;好&gt;。</mark>第三句。"
    assert "<mark>" not in highlight("abc", "not there")
    assert "<mark>" not in highlight("abc", "")


def test_sources_panel_has_one_entry_per_citation_newest_turn_open() -> None:
    good = Answer(question="q1", answer="龙超俊[1]", abstained=False, citations=(CITE,))
    turns = [turn_record("问一", good), turn_record("问二", good)]
    html = sources_html(turns)
    assert html.index('id="turn-1" open') < html.index('id="turn-0"')
    assert 'id="src-0-1"' in html and 'id="src-1-1"' in html
    assert "标题&lt;b&gt;" in html and "<mark>" in html


def test_not_found_state_shows_related_paragraphs() -> None:
    no = Answer(question="q", answer="抱歉，没有找到。", abstained=True, related=(CITE,))
    assert "notfound" in answer_markdown(no, 0) and "可能相关" in answer_markdown(no, 0)
    html = sources_html([turn_record("q", no)])
    assert "没有找到确切答案" in html and 'id="rel-0-1"' in html


def test_article_html_lists_paragraphs_with_ids() -> None:
    p = Paragraph(paragraph_id="x#p0", article_id="x", article_title="T", n=0, text="正文<i>", norm="正文")
    html = article_html(Article(article_id="x", title="T", paragraphs=(p,)))
    assert 'id="para-x-p0"' in html and "正文&lt;i&gt;" in html
