"""Citation markers: found, dropped when outside the context, mapped to records, checked for support."""

from __future__ import annotations

from rag.answer.citations import (
    build_citations,
    claims_with_markers,
    drop_unknown_markers,
    find_markers,
    related_citations,
    strip_markers,
    support,
)


def test_find_and_drop_markers() -> None:  # type: ignore[no-untyped-def]
    text = "家长会开了62次[1][7]。局长是龙超俊[2, 9]。"
    assert find_markers(text) == [1, 7, 2, 9]
    assert drop_unknown_markers(text, 5) == "家长会开了62次[1]。局长是龙超俊[2]。"
    assert strip_markers("答案[1]。") == "答案。"


def test_build_citations_maps_to_paragraphs(make_hits) -> None:  # type: ignore[no-untyped-def]
    hits = make_hits()
    cits = build_citations([2, 9], hits, text="局长龙超俊")
    assert len(cits) == 1
    c = cits[0]
    assert (c.n, c.paragraph_id, c.article_id) == (2, "a1#p1", "a1")
    assert "龙超俊" in c.quote and c.quote in c.text


def test_support_needs_matching_numbers(make_hits) -> None:  # type: ignore[no-untyped-def]
    para = make_hits()[0].paragraph.text
    assert support("全区各校召开家长会62次[1]", para) > 0.8
    assert support("全区各校召开家长会99次[1]", para) <= 0.3
    assert support("完全无关的一句话", para) < 0.5


def test_claims_with_markers() -> None:  # type: ignore[no-untyped-def]
    assert claims_with_markers("一[1]。二[2][3]。") == [("一[1]。", [1]), ("二[2][3]。", [2, 3])]
    assert claims_with_markers("一。[1]二。[2]") == [("一。[1]", [1]), ("二。[2]", [2])]


def test_related_citations(make_hits) -> None:  # type: ignore[no-untyped-def]
    rel = related_citations(make_hits(), limit=2)
    assert [c.n for c in rel] == [1, 2]
