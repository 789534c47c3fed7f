"""Sentence splitting, language detection and term coverage."""

from __future__ import annotations

import pytest

from rag.answer.text import coverage, is_english
from rag.text import split_clauses, split_sentences


def test_split_sentences_keeps_closing_quotes_with_their_sentence() -> None:
    text = "他说：“我们会继续努力。”随后离开。真的吗？是的！最后一句没有句号"
    assert split_sentences(text) == ["他说：“我们会继续努力。”", "随后离开。", "真的吗？", "是的！", "最后一句没有句号"]


def test_split_sentences_on_semicolons_and_ellipsis() -> None:
    assert split_sentences("第一项；第二项……第三项。") == ["第一项；", "第二项……", "第三项。"]


def test_split_clauses() -> None:
    assert split_clauses("截至去年底，全市人才资源总量达29.9万人。") == ["截至去年底，", "全市人才资源总量达29.9万人。"]


def test_is_english() -> None:
    assert is_english("How many parent meetings were held?")
    assert not is_english("天元区开了多少次家长会？")
    assert not is_english("5G基站有多少个？")


def test_coverage_weights_and_partial_terms() -> None:
    terms = (("天元区", 1.5), ("家长会", 1.5))
    assert coverage(terms, "天元区召开家长会62次") == 1.0
    assert coverage(terms, "全区召开家长会") == 0.5
    assert coverage((), "anything") == 0.0


def test_coverage_counts_news_synonyms_nearly_in_full() -> None:
    assert coverage([("动工", 1.0)], "大桥于2019年10月开工") == pytest.approx(0.9)
    assert coverage([("第一位", 1.0)], "始终把安全摆在首位") == pytest.approx(0.9)
    assert coverage([("动工", 1.0)], "大桥于2019年10月通车") == 0.0

