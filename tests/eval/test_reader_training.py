"""What `rag train-reader` fits the answer-span model on (rag/eval/reader_training.py
collect_spans): each typed question's gold sentences with two or more spans, labelled."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.span import SPAN_FEATURES
from rag.answer.tokenize import Tokenizer
from rag.config import Settings
from rag.eval.questions import QuestionItem
from rag.eval.reader_training import collect_spans
from rag.records import Hit, Paragraph

ROWS = [("a1", "集团上半年业绩", "记者获悉，集团上半年实现营收410.62亿元和利润50.80亿元，利润创历史同期新高。"),
        ("a2", "城市指数", "广州在全球城市指数中位于全球第56位，上升4名。")]


def _pipeline(tok: Tokenizer) -> Any:
    """What collect_spans reads of a pipeline: its reader, its top_k and its search."""
    settings = Settings()
    hits = []
    for i, (aid, title, text) in enumerate(ROWS):
        p = Paragraph(paragraph_id=f"{aid}#p0", article_id=aid, article_title=title, n=0, text=text, norm=text)
        hits.append(Hit(paragraph=p, chunk_id=f"{aid}#p0#c0", chunk_text=text, score=1.0 / (i + 1), dense_score=0.7))
    return SimpleNamespace(chain=SimpleNamespace(extractive=ExtractiveAnswerer(settings, tokenizer=tok)),
                           settings=settings, search=lambda question, k: hits)


def test_spans_are_labelled_by_the_gold_and_else_by_being_part_of_it() -> None:
    tok = Tokenizer()
    items = [QuestionItem(id="q1", question="集团上半年实现了多少利润？", answers=("50.80亿元",)),
             QuestionItem(id="q2", question="广州在全球城市指数中排名多少？", answers=("第56位",)),
             QuestionItem(id="q3", question="集团利润创了什么纪录？", answers=("历史同期新高",)),  # open: no span
             QuestionItem(id="q4", question="这里有什么？", answers=()),  # unanswerable: skipped
             ]
    groups = collect_spans(_pipeline(tok), items)
    by_id = {g.id: g for g in groups}
    assert set(by_id) == {"q1", "q2"}
    assert by_id["q1"].gold == [False, True]  # 50.80亿元, not the revenue
    assert by_id["q2"].gold == [True, False]  # '56位' is part of '第56位'; '4名' is not
    assert all(set(f) == set(SPAN_FEATURES) for g in groups for f in g.feats)
