"""Answer normalisation for matching: width, case, spaces, punctuation and number forms.

Chinese-numeral rule (kept conservative so that words are not mangled): a maximal run of
the characters 零〇一二两三四五六七八九十百千万亿 is converted to Arabic digits only when it
starts with a digit character or 十 (never with 百/千/万/亿, which start words such as
"千家万户", "万名") AND either has at least two characters ("十四", "两万", "二〇二二") or is
followed by a counter/unit character such as 个次名人家所条项件场年月日号岁份位 ("十年" ->
"10年", "一次" -> "1次"). So "一把手", "一盔一带", "三不腐" stay as they are. Arabic numbers
followed by 万/亿 are multiplied out ("2万" and "2.0万" -> "20000", "29.9万" -> "299000");
decimals lose trailing zeros; ASCII thousands separators are dropped ("20,000" -> "20000").
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from rag.text import CN_BIG, CN_NUMERAL_CHARS, COUNTER_CHARS, parse_cn_number, tidy_spaces

_CN_RUN = re.compile(f"[{CN_NUMERAL_CHARS}{''.join(CN_BIG)}]+")
_ARABIC_BIG = re.compile(r"(\d+(?:\.\d+)?)([万亿]+)")
_DECIMAL = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?![\d.])")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# "%" carries meaning ("90%"); "." is kept only between digits, handled below.
_KEEP = frozenset("%")


def _convert_cn_run(match: re.Match[str]) -> str:
    run = match.group(0)
    start = 0
    while start < len(run) and run[start] in "百千万亿":
        start += 1
    head, body = run[:start], run[start:]
    if not body:
        return run
    nxt = match.string[match.end() : match.end() + 1]
    if len(body) < 2 and nxt not in COUNTER_CHARS:
        return run
    value = parse_cn_number(body)
    return run if value is None else head + str(value)


def _format_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _expand_arabic_big(match: re.Match[str]) -> str:
    value = Decimal(match.group(1))
    for ch in match.group(2):
        value *= CN_BIG[ch]
    return _format_decimal(value)


def _strip_decimal_zeros(match: re.Match[str]) -> str:
    return _format_decimal(Decimal(match.group(0)))


def strip_punctuation(s: str) -> str:
    """NFKC (full/half width), lowercase, drop whitespace and punctuation; numbers untouched."""
    s = unicodedata.normalize("NFKC", s).lower()
    return "".join(ch for ch in s if ch in _KEEP or not _is_dropped(ch))


def normalize_answer(s: str) -> str:
    """strip_punctuation plus canonical number forms, so "2万", "两万" and "20000" compare equal.

    Dropped characters between two digits collapse to one "," so that a list such as
    "62、835" stays two numbers ("62,835") instead of becoming "62835".
    """
    s = _THOUSANDS.sub(
        "", s
    )  # before NFKC, so a full-width "，" between numbers is never read as one
    s = unicodedata.normalize("NFKC", s).lower()
    s = tidy_spaces(s)  # "1500 万元" is "1500万元": some outlets space digits off Chinese
    s = _CN_RUN.sub(_convert_cn_run, s)
    s = _ARABIC_BIG.sub(_expand_arabic_big, s)
    s = _DECIMAL.sub(_strip_decimal_zeros, s)
    out: list[str] = []
    dropped = False
    for i, ch in enumerate(s):
        is_decimal_point = (
            ch == "." and 0 < i < len(s) - 1 and s[i - 1].isdigit() and s[i + 1].isdigit()
        )
        if is_decimal_point or ch in _KEEP or not _is_dropped(ch):
            if dropped and ch.isdigit() and out and out[-1].isdigit():
                out.append(",")
            out.append(ch)
            dropped = False
        else:
            dropped = True
    return "".join(out)


def _is_dropped(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in "PS"


def contains_normalized(haystack: str, needle: str) -> bool:
    """Whether normalised `needle` occurs in normalised `haystack`; numbers only match whole.

    Both arguments must already be normalised. A needle that starts or ends with a digit
    must not be glued to further digits ("40" does not match inside "140" or "409").
    """
    if not needle:
        return False
    start = haystack.find(needle)
    while start != -1:
        end = start + len(needle)
        before_ok = not (needle[0].isdigit() and start > 0 and _is_number_char(haystack, start - 1))
        after_ok = not (
            needle[-1].isdigit() and end < len(haystack) and _is_number_char(haystack, end)
        )
        if before_ok and after_ok:
            return True
        start = haystack.find(needle, start + 1)
    return False


def _is_number_char(s: str, i: int) -> bool:
    if s[i].isdigit():
        return True
    # a decimal point that continues the number ("29.9" must not match "29")
    return s[i] == "." and (
        (i + 1 < len(s) and s[i + 1].isdigit()) or (i > 0 and s[i - 1].isdigit())
    )
