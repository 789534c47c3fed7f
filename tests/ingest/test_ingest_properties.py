"""Property tests: any text, Chinese and punctuation included, never crashes and never loses text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.ingest import account, normalize_text, parse_page
from rag.ingest.dedup import find_duplicates

PIECES = [
    "问：",
    "答：",
    "——",
    "(",
    ")",
    "（",
    "）",
    "。",
    "，",
    "、",
    "？",
    "！",
    "“",
    "”",
    "供图",
    "摄",
    " ",
    "\n",
    "\n\n",
    "李吉 张咪",
    "(彭晓艳 陆益平)",
    "家校同携手 护航成长路",
    "白鹤小学",
    "书法课堂。",
    "#",
    "图为",
    "…",
    "　",
    "ＡＢＣ",
    "abc",
]
page_text = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(alphabet=st.characters(codec="utf-8"), max_size=12)),
    max_size=60,
).map("".join)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(page_text)
def test_any_text_segments_without_loss(text: str) -> None:
    articles = parse_page(text, "p.txt")
    accounting = account(articles, text)
    assert accounting.ok, (accounting.missing, accounting.extra)
    ids = [p.paragraph_id for a in articles for p in a.paragraphs]
    assert len(ids) == len(set(ids))


@FAST
@given(
    st.lists(
        st.sampled_from(
            PIECES[:20] + ["家校共育的一个有效的方法就是让家长参与到学校的日常教育管理中。"]
        ),
        max_size=40,
    )
)
def test_repeated_passages_still_account(pieces: list[str]) -> None:
    text = "\n".join(pieces * 2)
    assert account(parse_page(text, "p.txt"), text).ok


@FAST
@given(st.text(max_size=80))
def test_normalize_is_idempotent_and_trimmed(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert once == once.strip() and "  " not in once


@FAST
@given(st.lists(st.one_of(st.none(), st.text(max_size=60)), max_size=12))
def test_duplicates_point_backwards(norms: list[str | None]) -> None:
    copies = find_duplicates(norms)
    assert all(original < copy and original not in copies for copy, original in copies.items())
