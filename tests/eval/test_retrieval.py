"""Retrieval figures (R@1, R@5, MRR@10) per mode on a tiny index."""

import json
from pathlib import Path

from rag.config import Settings
from rag.eval.retrieval import compare_modes, format_table, load_retrieval_questions
from rag.index.builder import build_index, load_index
from rag.index.embedders import FakeEmbedder
from rag.records import Article, Paragraph


def _article(article_id: str, title: str, texts: list[str]) -> Article:
    paragraphs = tuple(
        Paragraph(paragraph_id=f"{article_id}#p{n}", article_id=article_id, article_title=title,
                  n=n, kind="body", text=text, norm=text)
        for n, text in enumerate(texts)
    )
    return Article(article_id=article_id, title=title, paragraphs=paragraphs)


def sample_articles() -> list[Article]:
    """The index tests' two short articles and one about something else."""
    return [
        _article("school", "家校同携手 护航成长路", [
            "天元区教育局局长龙超俊说，家校共育是一项长期工作。",
            "2021至2022学年以来，全区各校召开线上或线下家长会62次。",
        ]),
        _article("energy", "长沙能源站投产", [
            "长沙滨江能源站今天正式投产，总投资约5亿元。",
            "能源站采用地源热泵技术，为周边建筑供冷供热。",
        ]),
        _article("farm", "湘西茶叶丰收", ["今年春茶产量比去年增长了两成，茶农收入明显提高。"]),
    ]


def test_side_by_side_table_on_a_tiny_question_set(fake_settings: Settings, tmp_path: Path) -> None:
    rows = [
        {"id": "q1", "question": "全区各校召开了多少次家长会？", "answers": ["62次"],
         "evidence": ["家长会62次"], "type": "number"},
        {"id": "q2", "question": "能源站总投资多少？", "answers": ["5亿元"],
         "evidence": ["总投资约5亿元"], "type": "number"},
        {"id": "q3", "question": "没有答案的问题", "type": "unanswerable"},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    questions = load_retrieval_questions(path)
    assert [q.id for q in questions] == ["q1", "q2"]
    emb = FakeEmbedder()
    build_index(fake_settings, sample_articles(), emb)
    scores = compare_modes(load_index(fake_settings, emb), emb, fake_settings, questions)
    assert len(scores) == 5 and all(s.n == 2 for s in scores)
    hybrid = scores[-1]
    assert hybrid.recall_at_5 == 1.0 and hybrid.mrr > 0.5
    assert "| hybrid" in format_table(scores)
