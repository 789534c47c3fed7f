"""The ground-floor text module: the two sentence rules side by side, numerals, unit words."""

from __future__ import annotations

import pytest

from rag.text import (
    QUANTITY_UNITS,
    fold,
    normalize_text,
    parse_cn_number,
    sentence_spans,
    split_sentences,
    unit_class_of,
)


def _spans(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize(
    "text,chunker,reader",
    [
        # the reader stops on an ASCII ellipsis, the chunker does not
        ("等等...然后", ["等等...然后"], ["等等...", "然后"]),
        # 》 and ASCII quotes close a chunker's sentence, 】 a reader's
        ("书名。》后文", ["书名。》", "后文"], ["书名。", "》后文"]),
        ("注释。】后文", ["注释。", "】后文"], ["注释。】", "后文"]),
        # the chunker keeps whitespace (offsets), the reader strips and glues stray punctuation
        ("一句。 ”二句。", ["一句。", " ”二句。"], ["一句。", "”二句。"]),
        ("一句。 。", ["一句。", " 。"], ["一句。。"]),
    ],
)
def test_the_two_sentence_rules_differ_where_documented(
    text: str, chunker: list[str], reader: list[str]
) -> None:
    assert _spans(text) == chunker
    assert split_sentences(text) == reader


def test_fold_drops_every_space_normalize_text_keeps_latin_ones() -> None:
    assert fold("ＸeSS 1.2 版本") == "xess1.2版本"
    assert normalize_text("ＸeSS 1.2 版本") == "XeSS 1.2版本"


@pytest.mark.parametrize(
    "run,value",
    [("二〇二二", 2022), ("十四", 14), ("两万", 20000), ("三亿五千万", 350000000), ("一一十", None)],
)
def test_parse_cn_number(run: str, value: int | None) -> None:
    assert parse_cn_number(run) == value


def test_unit_words() -> None:
    assert unit_class_of("万元") == "money"
    assert unit_class_of("个") == "count"
    assert unit_class_of("钱") == "money" and "钱" not in QUANTITY_UNITS
    assert QUANTITY_UNITS.index("万人") < QUANTITY_UNITS.index("人")
