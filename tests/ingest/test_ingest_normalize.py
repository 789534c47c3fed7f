"""The shared normaliser and the sentence-end rule."""

from __future__ import annotations

import pytest

from rag.ingest.dedup import find_duplicates
from rag.text import ends_sentence, normalize_text


@pytest.mark.parametrize(
    "raw,norm",
    [
        ("ＩＴ之家 8 月 16 日消息，", "IT之家8月16日消息,"),
        ("XeSS  1.2\n版本", "XeSS 1.2版本"),
        ("  家校 同携手　护航  ", "家校同携手护航"),
        ("（城东）派出所：", "(城东)派出所:"),
        ("“幸福邻里情 教育温暖行”", "“幸福邻里情教育温暖行”"),
        ("ﬁ ① ", "fi 1"),
        ("", ""),
    ],
)
def test_normalize_text(raw: str, norm: str) -> None:
    assert normalize_text(raw) == norm


@pytest.mark.parametrize(
    "text,ends",
    [
        ("议。", True),
        ("吗？”", True),
        ("了建", False),
        ("西", False),
        ("做了哪些", False),
        ("（完。）", True),
        ("(城东)", False),
        ("", False),
    ],
)
def test_ends_sentence(text: str, ends: bool) -> None:
    assert ends_sentence(text) is ends


def test_find_duplicates_catches_truncated_edited_copy() -> None:
    original = "为政之要，惟在得人。娄底始终把选人用人作为关系党和人民事业的根本性问题来抓，全市组织系统不断探索建立科学有效的选人用人机制。"
    copy = "民事业的关键性和根本性问题来抓，全市组织系统不断探索建立科学有效的选人用人机制。"
    other = "锚定打造全省人才副中心城市目标，娄底下大力气全方位培养、引进、用好人才。"
    norms = [normalize_text(t) for t in (original, other, copy, "短句。", original)]
    assert find_duplicates(norms) == {2: 0, 4: 0}
