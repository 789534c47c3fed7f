"""Tiny hand-made articles, so index tests do not depend on the ingest package."""

from __future__ import annotations

from rag.records import Article, Paragraph, ParagraphKind


def make_article(article_id: str, title: str, texts: list[str],
                 kinds: list[ParagraphKind] | None = None) -> Article:
    """An article whose paragraphs are `texts`, in order."""
    kinds = kinds or ["body"] * len(texts)
    paragraphs = tuple(
        Paragraph(paragraph_id=f"{article_id}#p{n}", article_id=article_id, article_title=title,
                  n=n, kind=kind, text=text, norm=text)
        for n, (text, kind) in enumerate(zip(texts, kinds, strict=True))
    )
    return Article(article_id=article_id, title=title, paragraphs=paragraphs)


def sample_articles() -> list[Article]:
    """Two short Chinese articles and one about something else."""
    return [
        make_article("school", "家校同携手 护航成长路", [
            "天元区教育局局长龙超俊说，家校共育是一项长期工作。",
            "2021至2022学年以来，全区各校召开线上或线下家长会62次。",
            "隆兴小学成立了膳食委员会、活动协调委员会、志愿护学委员会和宣传委员会。",
        ]),
        make_article("energy", "长沙能源站投产", [
            "长沙滨江能源站今天正式投产，总投资约5亿元。",
            "能源站采用地源热泵技术，为周边建筑供冷供热。",
        ]),
        make_article("farm", "湘西茶叶丰收", [
            "今年春茶产量比去年增长了两成，茶农收入明显提高。",
            "摄影 张三",
        ], kinds=["body", "byline"]),
    ]
