"""Text normalisation shared by ingest, indexing and answering: width, spaces, sentence ends."""

from __future__ import annotations

import re
import unicodedata

# CJK ideographs, CJK and full-width punctuation, curly quotes, dashes, ellipsis, middle dot:
# a space next to any of these is a layout artefact, never a word separator.
CJK_CLASS = (
    "\u00b7\u2014\u2018-\u201f\u2026\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_CJK_SPACE = re.compile(rf"(?<=[{CJK_CLASS}]) | (?=[{CJK_CLASS}])")

# A sentence may end on these; a closing bracket only counts after one of them.
SENTENCE_END = "。！？!?…”」』’\"'"
_CLOSERS = ")）】]"


# The common full-width forms map one-to-one; mapping them first lets most texts skip full NFKC.
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULL_WIDTH_RUN = re.compile("[\uff01-\uff5e\u3000]+")


def _half_width(match: re.Match[str]) -> str:
    return match.group(0).translate(_FULL_WIDTH)


def normalize_text(s: str) -> str:
    """NFKC (full width -> half width), collapse whitespace, drop spaces next to CJK characters."""
    s = _FULL_WIDTH_RUN.sub(_half_width, s)
    if not unicodedata.is_normalized("NFKC", s):
        s = unicodedata.normalize("NFKC", s)
    s = " ".join(s.split())
    return _CJK_SPACE.sub("", s) if " " in s else s


_PANGU_SPACE = re.compile(rf"(?<=[{CJK_CLASS}]) (?=[A-Za-z0-9])|(?<=[A-Za-z0-9%]) (?=[{CJK_CLASS}])")


def tidy_spaces(s: str) -> str:
    """Whitespace only: runs (NBSP and ideographic spaces included) become one space, and the
    space some outlets put between Chinese and digits or Latin letters goes ("IT之家 8 月 17 日" ->
    "IT之家8月17日", "约 279 公里" -> "约279公里"). A space between two Chinese characters stays
    (it parts a slogan's phrases), and so does every other character: a paragraph still accounts
    for its source text."""
    if "\n" in s:  # a Q&A paragraph keeps its question and answer on lines of their own
        return "\n".join(tidy_spaces(line) for line in s.split("\n"))
    s = " ".join(s.split())
    return _PANGU_SPACE.sub("", s) if " " in s else s


def ends_sentence(s: str) -> bool:
    """True when s ends on sentence-final punctuation (Chinese or Latin)."""
    s = s.rstrip()
    while s and s[-1] in _CLOSERS:
        s = s[:-1].rstrip()
        if s and s[-1] in SENTENCE_END:
            return True
    return bool(s) and s[-1] in SENTENCE_END


def is_cjk(ch: str) -> bool:
    """True for a CJK ideograph or CJK punctuation character."""
    return bool(ch) and re.match(f"[{CJK_CLASS}]", ch) is not None


def glue(left: str, right: str) -> str:
    """Join two fragments of one sentence: no space in CJK text, one space between Latin words."""
    if (
        left
        and right
        and left[-1].isascii()
        and left[-1].isalnum()
        and right[0].isascii()
        and right[0].isalnum()
    ):
        return f"{left} {right}"
    return left + right
