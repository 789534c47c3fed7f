"""Near-duplicate passages inside one document: a paragraph printed twice is kept once."""

from __future__ import annotations

import re
from collections.abc import Sequence

MIN_DUP_CHARS = 20
MIN_CONTAINMENT = 0.8
GRAM = 4
_NOISE = re.compile(r"\s+")


def grams(text: str) -> frozenset[str]:
    """Character n-grams of a normalised text (whitespace removed)."""
    s = _NOISE.sub("", text)
    return frozenset(s[k : k + GRAM] for k in range(max(len(s) - GRAM + 1, 1)))


def find_duplicates(norms: Sequence[str | None]) -> dict[int, int]:
    """Map index of each copy -> index of the earlier kept paragraph it repeats.

    A copy is a paragraph (of at least MIN_DUP_CHARS) whose n-grams are mostly contained in an
    earlier kept paragraph: equal, a truncated tail, or a tail with a few words changed.
    None marks an entry that takes no part (a heading, a caption).
    """
    sized = [(i, n, len(n) - n.count(" ")) for i, n in enumerate(norms) if n is not None]
    eligible = [(i, n, size) for i, n, size in sized if size >= MIN_DUP_CHARS]
    kept: list[tuple[int, frozenset[str], int]] = []
    copies: dict[int, int] = {}
    if len(eligible) < 2:
        return copies
    for i, norm, size in eligible:
        mine = grams(norm)
        original = _container(mine, size, kept)
        if original is None:
            kept.append((i, mine, size))
        else:
            copies[i] = original
    return copies


def _container(
    mine: frozenset[str], size: int, kept: list[tuple[int, frozenset[str], int]]
) -> int | None:
    """The first kept paragraph that contains most of these n-grams."""
    for index, theirs, their_size in kept:
        if their_size < size * MIN_CONTAINMENT:
            continue
        if len(mine & theirs) >= MIN_CONTAINMENT * len(mine):
            return index
    return None
