"""Finding the asked-for kind of fact in a sentence: quantities with units, dates, person names, named entities."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.lexicon import (
    GENERIC_KINDS,
    NOT_PLACE_NAMES,
    ORG_SUFFIXES,
    PLACE_KINDS,
    PLACE_SUFFIXES,
    TITLES,
)
from rag.answer.tokenize import Tokenizer
from rag.text import CN_NUMERAL_CHARS, GENERIC_COUNTERS, QUANTITY_UNITS, UNIT_CLASS

# a Latin unit must end its word: the m of 'mAh' is no metre, the 5G of '5G网络' no unit
_UNIT_RE = "|".join(
    re.escape(u) + (r"(?![A-Za-z])" if u.isascii() else "") for u in QUANTITY_UNITS
)
_ARABIC = r"\d+(?:[.,]\d+)*"
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_CN_NUM = rf"[{CN_NUMERAL_CHARS}]{{1,6}}"
_QUANTITY = re.compile(
    rf"(?:百分之(?P<pct>{_ARABIC}|{_CN_NUM}))"
    # '近四成', '三成五': tenths (not the 成 of 成为, 成立, 成本, 统一成, 一成不变)
    r"|(?<![零〇一二三四五六七八九十百千万\d统唯第之同单划专逐])(?P<cheng>[一二三四五六七八九十]成[一二三四五六七八九]?)(?![为立功本员果绩交熟长就型都了不])"
    rf"|(?P<num>{_ARABIC})(?:余|多)?(?P<big>万亿|[万亿])?(?:余|多)?(?P<unit>%|％|{_UNIT_RE})?"
    rf"|(?P<cn>{_CN_NUM})(?:余|多)?(?P<cbig>万亿|[万亿])?(?:余|多)?(?P<cunit>{_UNIT_RE})"
)
_YEAR = r"(?:\d{4}|[〇零一二三四五六七八九]{4})年"
_MONTH = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月"
_DAY = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})[日号號]"
_DATE = re.compile(
    rf"(?P<y>{_YEAR})?(?P<m>{_MONTH})?(?P<d>{_DAY})?(?P<part>初|底|末|上旬|中旬|下旬|中|以来|起)?"
)
_TITLE_NAME = re.compile(
    "(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + r")([\u4e00-\u9fff]{2,3}?)"
    r"(?=说|表示|介绍|指出|主持|称|坦言|认为|告诉|强调|被|等|、|，|。|和|与|老师|同志|（|\(|在|也|带|领衔|回答|发布|出席)"
)
_QUOTED = re.compile(r"“([^”]{2,30})”|《([^》]{2,30})》|「([^」]{2,30})」")
_ORG_NOUN = tuple(sorted({*ORG_SUFFIXES, *PLACE_SUFFIXES, "部", "班", "组"}, key=len, reverse=True))


@dataclass(frozen=True)
class Fact:
    """A span of a sentence that holds a fact of the asked-for kind."""

    text: str
    start: int
    end: int
    kind: str
    unit: str = ""
    unit_class: str = ""


def quantities(sentence: str) -> list[Fact]:
    """Numbers with their unit and unit class; dates (2022年, 5月7日) are not quantities."""
    out: list[Fact] = []
    for m in _QUANTITY.finditer(sentence):
        text = m.group(0)
        if m.group("num") and (_LATIN_LETTER.fullmatch(sentence[m.start() - 1:m.start()])
                               or _LATIN_LETTER.match(sentence, m.end())):
            continue  # the 4 of 'CCTV4', the 17 of 'iOS17', the 5 of '5G': part of a name
        if m.group("pct") or m.group("cheng"):
            out.append(Fact(text, m.start(), m.end(), "quantity", "%" if m.group("pct") else "成", "percent"))
            continue
        unit = m.group("unit") or m.group("cunit") or ""
        if m.group("num"):
            if _is_date_number(sentence, m.start(), m.group("num"), unit):
                continue
        elif not unit:
            continue
        cls = _class_of(unit)
        out.append(Fact(text, m.start(), m.end(), "quantity", unit, cls))
    return _ranges(sentence, out)


# the first number of a range: '四到六个月', '3至5年', '10-15%'
_RANGE_FROM = re.compile(rf"(?:{_ARABIC}|{_CN_NUM})(?:余|多)?[万亿]?(?:{_UNIT_RE})?(?:到|至|-|—|~|～)$")


def _ranges(sentence: str, found: list[Fact]) -> list[Fact]:
    """A quantity that ends a range is stated with the range; the range's bare first number goes."""
    out: list[Fact] = []
    for f in found:
        m = _RANGE_FROM.search(sentence[max(0, f.start - 16):f.start]) if f.unit else None
        if m is not None:
            start = f.start - (len(m.group(0)))
            out = [g for g in out if g.end <= start]  # '2300万美元至2600万美元': one range
            f = Fact(sentence[start:f.end], start, f.end, f.kind, f.unit, f.unit_class)
        out.append(f)
    return out


def _class_of(unit: str) -> str:
    if unit in ("%", "％"):
        return "percent"
    if unit.endswith("元"):
        return "money"
    if unit in ("万人", "亿人", "余人", "多人"):
        return "person"
    if unit == "年":
        return "duration"
    if unit in ("千伏", "伏", "千伏安"):
        return "voltage"
    return UNIT_CLASS.get(unit) or ("count" if unit in GENERIC_COUNTERS else "measure" if unit else "")


def _is_date_number(sentence: str, start: int, num: str, unit: str) -> bool:
    end = start + len(num)
    if unit in ("月", "日", "号") or sentence[end:end + 1] in ("月", "日", "号"):
        return True
    if len(num) == 4 and num.isdigit() and 1900 <= int(num) <= 2099 and unit in ("", "年"):
        return True
    # "2021至2022学年" and "12月" after a year: part of a date expression
    return bool(re.match(r"\d{4}(?:至|-|—|到)", sentence[start:]))


def dates(sentence: str) -> list[Fact]:
    """Dates with their grain: 'year', 'month' or 'day' (vague words such as 近日 are not dates)."""
    out: list[Fact] = []
    for m in _DATE.finditer(sentence):
        if not (m.group("y") or m.group("m") or m.group("d")):
            continue
        grain = "day" if m.group("d") else "month" if m.group("m") else "year"
        if grain == "day" and not m.group("m") and not re.search(r"\d", m.group("d") or ""):
            continue
        out.append(Fact(m.group(0), m.start(), m.end(), "date", grain))
    for m in re.finditer(r"(今年|去年|前年)(?:(\d{1,2}月)(\d{1,2}日)?)?", sentence):
        grain = "day" if m.group(3) else "month" if m.group(2) else "year"
        out.append(Fact(m.group(0), m.start(), m.end(), "date", grain))
    return out


def date_matches(fact: Fact, grain: str | None) -> bool:
    """Whether a date is precise enough for the question (哪天 needs a day, 哪一年 a year)."""
    if grain in (None, "any"):
        return True
    if grain == "year":
        # '去年' does not tell which year: only a written year answers 哪一年
        return bool(re.search(r"\d{4}年|[〇零一二三四五六七八九]{4}年", fact.text))
    if grain == "month":
        return fact.unit in ("month", "day")
    return fact.unit == "day"


def persons(sentence: str, tok: Tokenizer) -> list[Fact]:
    """Person names: words tagged as names that are not the first part of an organisation name, and
    names right after a title (所长范文, 局长龙超俊)."""
    out: dict[int, Fact] = {}
    pos = 0
    words = tok.pos(sentence)
    for i, (w, flag) in enumerate(words):
        start = sentence.find(w, pos)
        pos = start + len(w) if start >= 0 else pos
        if flag != "nr" or not 2 <= len(w) <= 4 or start < 0 or w.endswith(_ORG_NOUN):
            continue
        nxt = [x for x, _ in words[i + 1:i + 3]]
        if any(x.endswith(_ORG_NOUN) and x not in TITLES for x in nxt):
            continue
        out[start] = Fact(w, start, start + len(w), "person")
    for m in _TITLE_NAME.finditer(sentence):
        name = m.group(1)
        if name.endswith(_ORG_NOUN) or any(t in name for t in ("书记", "主任", "局长")):
            continue
        out.setdefault(m.start(1), Fact(name, m.start(1), m.end(1), "person"))
    for m in _LATIN_NAME.finditer(sentence):  # 'Meta的人力资源主管Lori Goler'
        out.setdefault(m.start(), Fact(m.group(0), m.start(), m.end(), "person"))
    # a transliterated name is whole with its dots ('艾萨克·赫尔佐格', not its parts)
    for start, end in _dotted_names(words, sentence):
        for k in [k for k, f in out.items() if start <= f.start and f.end <= end]:
            del out[k]
        out[start] = Fact(sentence[start:end], start, end, "person")
    return sorted(out.values(), key=lambda f: f.start)


def _word_starts(words: list[tuple[str, str]], sentence: str) -> list[int]:
    """Where each of the tokenizer's words starts in the sentence (-1 when it cannot be found)."""
    starts, pos = [], 0
    for w, _ in words:
        i = sentence.find(w, pos)
        starts.append(i)
        pos = i + len(w) if i >= 0 else pos
    return starts


_DOTS = "·・•‧"
_HAN_WORD = re.compile(r"[\u4e00-\u9fff]{1,5}")


def _dotted_names(words: list[tuple[str, str]], sentence: str) -> list[tuple[int, int]]:
    """The spans of names written word·word(·word): the words either side of each dot."""
    spans: list[tuple[int, int]] = []
    starts = _word_starts(words, sentence)
    i = 1
    while i < len(words) - 1:
        if words[i][0] in _DOTS and _HAN_WORD.fullmatch(words[i - 1][0]) and _HAN_WORD.fullmatch(words[i + 1][0]):
            j = i + 1
            while j + 2 < len(words) and words[j + 1][0] in _DOTS and _HAN_WORD.fullmatch(words[j + 2][0]):
                j += 2
            if starts[i - 1] >= 0 and starts[j] >= 0:
                spans.append((starts[i - 1], starts[j] + len(words[j][0])))
            i = j + 1
        else:
            i += 1
    return spans


# a Latin-script personal name: two or three capitalised words (Lori Goler, Tim Cook)
_LATIN_NAME = re.compile(r"(?<![A-Za-z])[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}(?![A-Za-z])")


# After a locative verb or preposition ('躲藏在', '带到', '运往', '在'), the place it governs: nouns,
# numerals with their counters, pronouns and 的, ending at a verb, an adverb or punctuation.
_LOCATIVE_END = ("在", "到", "往", "于", "至", "赴")
_PLACE_WORD = ("n", "m", "q", "r", "uj", "f", "j", "s", "eng")  # jieba's flags (n covers ns, nr, nt, nz …)
_NOT_A_PLACE = frozenset({"此", "这里", "那里", "其中", "这", "那", "当地", "现场", "其", "之"})


def locatives(sentence: str, tok: Tokenizer) -> list[Fact]:
    """The places a sentence says something is at, goes to or comes from ('被带到游客中心过夜' ->
    '游客中心', '躲藏在一家酒店' -> '一家酒店'): the noun phrase after a locative word."""
    words = tok.pos(sentence)
    out: list[Fact] = []
    starts = _word_starts(words, sentence)
    for i, (w, flag) in enumerate(words):
        if not (w.endswith(_LOCATIVE_END) and (flag.startswith(("v", "p")) or len(w) == 1)):
            continue
        j = i + 1
        while j < len(words) and words[j][1].startswith(_PLACE_WORD) and words[j][0] not in "，。；、：":
            j += 1
        phrase = words[i + 1:j]
        if not phrase or starts[i + 1] < 0 or not any(f.startswith("n") for _, f in phrase):
            continue
        start = starts[i + 1]
        end = starts[j - 1] + len(words[j - 1][0])
        text = sentence[start:end]
        if 2 <= len(text) <= 16 and text not in _NOT_A_PLACE and not re.fullmatch(r"[\d.年月日时号]+", text):
            out.append(Fact(text, start, end, "locative"))
    return out


def entities(sentence: str, kind: str | None, tok: Tokenizer) -> list[Fact]:
    """Names of places or organisations; with a kind (小学, 公司, 街道) only names of that kind."""
    out: list[Fact] = []
    if kind and kind not in GENERIC_KINDS and kind not in PLACE_KINDS:
        for m in re.finditer(rf"([\u4e00-\u9fff\d（）()]{{1,12}}?){re.escape(kind)}", sentence):
            head = _trim_left(m.group(1), tok)
            if head:
                text = head + kind
                out.append(Fact(text, m.end() - len(text), m.end(), "entity"))
        return out
    pos = 0
    for w, flag in tok.pos(sentence):
        start = sentence.find(w, pos)
        pos = start + len(w) if start >= 0 else pos
        if start >= 0 and (flag in ("ns", "nt") or (len(w) >= 3 and w.endswith(_ORG_NOUN))):
            out.append(Fact(w, start, start + len(w), "entity"))
    return out


def is_place(word: str, tok: Tokenizer) -> bool:
    """A place name: jieba tags it a place, or it ends in a place suffix (…省, …州, …市)."""
    if word in NOT_PLACE_NAMES:
        return False
    tags = tok.pos(word)
    return (len(tags) == 1 and tags[0][1] == "ns") or word.endswith(PLACE_SUFFIXES + ("州", "国"))


def _trim_left(prefix: str, tok: Tokenizer) -> str:
    """The proper-name part right before a kind word: the last one to three words of the prefix."""
    words = [w for w, f in tok.pos(prefix)]
    keep: list[str] = []
    for w in reversed(words):
        if not re.fullmatch(r"[\u4e00-\u9fff\d（）()]+", w) or w in ("的", "和", "与", "在", "了", "是", "所", "各"):
            break
        keep.insert(0, w)
        if len("".join(keep)) >= 6:
            break
    return "".join(keep)


def quoted(sentence: str) -> list[Fact]:
    """Quoted names: “…”, 《…》, 「…」."""
    return [Fact(m.group(0), m.start(), m.end(), "name") for m in _QUOTED.finditer(sentence)]


_MODEL_NAME = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]+[-.]?\d+[A-Za-z0-9.\-]*|\d+[A-Za-z]+[A-Za-z0-9\-]*)(?![A-Za-z0-9])")


def model_names(sentence: str) -> list[Fact]:
    """Unquoted names of products and parts written in Latin letters with digits (PF4, Dubhe-90,
    ET5T, 13.1.0.183 is a version, not a name)."""
    return [Fact(m.group(0), m.start(), m.end(), "name") for m in _MODEL_NAME.finditer(sentence)]


def enumeration_size(sentence: str) -> int:
    """How many items a sentence lists (、-separated or consecutive quoted items)."""
    best = 0
    for clause in re.split(r"[，。；：]", sentence):
        best = max(best, clause.count("、") + 1 if "、" in clause else 0)
    quotes = len(re.findall(r"”“|”、“|》《|》、《", sentence))
    return max(best, quotes + 1 if quotes else 0)
