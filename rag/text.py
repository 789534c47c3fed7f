"""Chinese text basics, the ground floor under ingest, index, answer and eval: width and space
normalisation, sentence and clause splitting, Chinese numerals and the unit words of quantities.

Imports nothing from rag: every layer above may use it.
"""

from __future__ import annotations

import re
import unicodedata

# ---------------------------------------------------------------------------------------------
# Width and spaces
# ---------------------------------------------------------------------------------------------

# CJK ideographs, CJK and full-width punctuation, curly quotes, dashes, ellipsis, middle dot:
# a space next to any of these is a layout artefact, never a word separator.
CJK_CLASS = (
    "\u00b7\u2014\u2018-\u201f\u2026\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_CJK_SPACE = re.compile(rf"(?<=[{CJK_CLASS}]) | (?=[{CJK_CLASS}])")
_PANGU_SPACE = re.compile(
    rf"(?<=[{CJK_CLASS}]) (?=[A-Za-z0-9])|(?<=[A-Za-z0-9%]) (?=[{CJK_CLASS}])"
)
_SPACE = re.compile(r"\s+")

# The common full-width forms map one-to-one; mapping them first lets most texts skip full NFKC.
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULL_WIDTH_RUN = re.compile("[\uff01-\uff5e\u3000]+")


def _half_width(match: re.Match[str]) -> str:
    return match.group(0).translate(_FULL_WIDTH)


def normalize_text(s: str) -> str:
    """NFKC (full width -> half width), collapse whitespace, drop spaces next to CJK characters.

    Ingest's comparison form (dedup, passages printed twice) and the retrieval evaluation's.
    """
    s = _FULL_WIDTH_RUN.sub(_half_width, s)
    if not unicodedata.is_normalized("NFKC", s):
        s = unicodedata.normalize("NFKC", s)
    s = " ".join(s.split())
    return _CJK_SPACE.sub("", s) if " " in s else s


def fold(text: str) -> str:
    """NFKC width folding, lower case and no whitespace at all: what the reader's term matching
    compares (unlike normalize_text it keeps no space, not even between Latin words)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


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


# ---------------------------------------------------------------------------------------------
# Sentences and clauses
#
# Two sentence rules, on purpose. The chunker's (sentence_spans) decides where chunks of the
# index are cut: its offsets are stored with every chunk and hashed into its id, so changing it
# re-embeds the corpus. The reader's (split_sentences) picks answer sentences and citation quotes.
# They differ in:
#   - stops: both end on 。！？；!?; ; the chunker also on any run of …, the reader on … or ……
#     and on an ASCII "..." (3-6 dots);
#   - closers kept with the sentence: the chunker's include 》 and ASCII " ' ; the reader's ] 】;
#   - pieces: the chunker's spans cover the text exactly (whitespace kept, blank spans dropped);
#     the reader's sentences are stripped, and a fragment of only punctuation or quotes is glued
#     to the sentence before it.
# ---------------------------------------------------------------------------------------------

# A sentence may end on these; a closing bracket only counts after one of them (ends_sentence).
SENTENCE_END = "。！？!?…”」』’\"'"
_CLOSERS = ")）】]"

_CHUNK_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)》\"']*")
_READER_SENTENCE_END = re.compile(r"(?:[。！？!?；;]+|…{1,2}|\.{3,6})[”’」』）)\]】]*")
_CLAUSE_SPLIT = re.compile(r"(?<=[，,：:；;。！？!?])")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ALNUM = re.compile(r"[A-Za-z0-9]")


def ends_sentence(s: str) -> bool:
    """True when s ends on sentence-final punctuation (Chinese or Latin); ingest's line rejoining."""
    s = s.rstrip()
    while s and s[-1] in _CLOSERS:
        s = s[:-1].rstrip()
        if s and s[-1] in SENTENCE_END:
            return True
    return bool(s) and s[-1] in SENTENCE_END


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, the chunker's rule (see above); together
    they cover the text except for blank spans. A sentence ends at 。！？；… (full or half width)
    plus any closing quotes/brackets that follow, so that 他说：“……。” keeps its closing quote."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _CHUNK_SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [s for s in spans if text[s[0] : s[1]].strip()]


def split_sentences(text: str) -> list[str]:
    """The sentences of Chinese text, the reader's rule (see above): punctuation and closing
    quotes kept, pieces stripped. Used by the extractive reader, citations and the guards."""
    out: list[str] = []
    pos = 0
    for m in _READER_SENTENCE_END.finditer(text):
        piece = text[pos : m.end()].strip()
        if piece:
            out.append(piece)
        pos = m.end()
    tail = text[pos:].strip()
    if tail:
        out.append(tail)
    return _merge_orphans(out)


def _merge_orphans(sentences: list[str]) -> list[str]:
    """A fragment made only of punctuation or quotes is glued to the sentence before it."""
    merged: list[str] = []
    for s in sentences:
        if merged and not _HAN.search(s) and not _ALNUM.search(s):
            merged[-1] += s
        else:
            merged.append(s)
    return merged


def split_clauses(sentence: str) -> list[str]:
    """Split a sentence at commas, colons and semicolons (punctuation kept on the left piece)."""
    return [c for c in _CLAUSE_SPLIT.split(sentence) if c.strip()]


# ---------------------------------------------------------------------------------------------
# Chinese numerals
# ---------------------------------------------------------------------------------------------

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_SMALL = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10**4, "亿": 10**8}
# The characters of a numeral below ten thousand: 零〇一二两三四五六七八九十百千
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL)


def parse_cn_number(run: str) -> int | None:
    """Value of a Chinese numeral run, or None when the run is not a well-formed number."""
    if all(ch in CN_DIGITS for ch in run):
        # digit-by-digit readings such as 二〇二二 (a year)
        return int("".join(str(CN_DIGITS[ch]) for ch in run))
    total = section = 0
    num: int | None = None
    for ch in run:
        if ch in CN_DIGITS:
            if num not in (None, 0):
                return None
            num = CN_DIGITS[ch]
        elif ch in CN_SMALL:
            section += (1 if num is None else num) * CN_SMALL[ch]
            num = None
        else:
            section += num or 0
            if section == 0 and total == 0:
                return None
            if CN_BIG[ch] == 10**8:
                total = (total + section) * 10**8
            else:
                total += section * 10**4
            section, num = 0, None
    return total + section + (num or 0)


# ---------------------------------------------------------------------------------------------
# Unit words of quantities, in one place. The lists differ on purpose: each serves its reader.
# ---------------------------------------------------------------------------------------------

# Measure words and units, each with its class; a question's unit must meet a number of the same
# class. Also holds cue words of a class that are no units ("钱", "比例"): see NOT_UNITS.
UNIT_CLASS: dict[str, str] = {
    "元": "money", "万元": "money", "亿元": "money", "美元": "money", "钱": "money", "投资": "money",
    "资金": "money", "经费": "money", "花了": "money", "赃款": "money", "金额": "money", "收入": "money",
    "人": "person", "名": "person", "位": "person", "人次": "person", "户": "household",
    "个月": "duration", "小时": "duration", "分钟": "duration", "天": "duration", "周": "duration",
    "年": "duration", "日": "duration",
    "%": "percent", "％": "percent", "百分之": "percent", "比例": "percent", "占比": "percent",
    "比重": "percent", "率": "percent", "成": "percent",
    "千瓦": "power", "兆瓦": "power", "千瓦时": "power", "度": "power", "千伏安": "power", "容量": "power",
    "发电量": "power", "装机": "power",
    "亩": "area", "平方米": "area", "平方公里": "area", "公顷": "area", "面积": "area",
    "次": "times", "场": "times", "场次": "times", "期": "times", "届": "times", "轮": "times",
    "起": "case", "件": "case", "例": "case",
    "吨": "weight", "万吨": "weight", "亿吨": "weight", "公斤": "weight", "千克": "weight", "斤": "weight",
    "克": "weight", "重量": "weight", "体重": "weight",
    "公里": "length", "千米": "length", "米": "length", "厘米": "length", "毫米": "length", "长度": "length",
    "全长": "length", "距离": "length",
    # units written in Latin letters (tech and science news): 8500mAh, 65W, 512GB, 120Hz
    "mAh": "power", "Wh": "power", "kWh": "power", "W": "power", "kW": "power", "MW": "power",
    "GW": "power", "V": "voltage", "kV": "voltage", "GB": "storage", "TB": "storage", "MB": "storage",
    "Hz": "frequency", "GHz": "frequency", "MHz": "frequency", "km": "length", "m": "length",
    "cm": "length", "mm": "length", "nm": "length", "kg": "weight",
    "英寸": "length", "英里": "length", "英尺": "length", "磅": "weight", "瓦": "power",
    "英镑": "money", "卢布": "money", "辆次": "count", "架次": "count", "艘次": "count", "周年": "duration",
}

# Generic counters: a question with one of these accepts any count-like number.
# (架 艘 枚 颗 部 只 头 匹 棵 株 栋 幢 层 列 趟 款 箱: the counters of aircraft, ships, missiles, machines,
# animals, trees, buildings, trains, products)
GENERIC_COUNTERS = frozenset("个项种类批支座台辆家所条张本篇处间份架艘枚颗部只头匹棵株栋幢层列趟款箱")

# Units that make a number-like string a date, not a quantity.
DATE_UNITS = ("年", "月", "日", "号")

# Words of UNIT_CLASS that name a class in a question but never follow a number in a sentence.
NOT_UNITS = frozenset({
    "钱", "投资", "资金", "经费", "花了", "赃款", "金额", "收入", "比例", "占比", "比重", "容量",
    "发电量", "装机", "面积", "率", "成", "百分之",
})

# What may follow a number in a sentence (the reader's quantities), longest first so that an
# alternation takes "万人" before "万".
QUANTITY_UNITS: list[str] = sorted(
    {*UNIT_CLASS, *GENERIC_COUNTERS, "千伏", "万人", "亿人", "平方", "公里", "千米", "米", "吨", "辆",
     "套", "所", "余人", "多人", "人", "名", "岁", "倍", "家", "个", "户", "村", "天", "周",
     # traffic counts, anniversaries, other currencies
     "辆次", "架次", "艘次", "周年", "港元", "欧元", "日元", "韩元", "澳元", "英镑", "卢布"}
    - NOT_UNITS,
    key=len, reverse=True,
)

# The unit a question asks for right after 多少/几 (a regex alternative, longer words first).
QUESTION_UNITS = (
    "人次|场次|辆次|架次|万元|亿元|美元|欧元|港元|日元|英镑|元|个月|小时|分钟|千伏|千瓦|兆瓦|平方米|公里|"
    "[个次名位人家所条项件场份届天年岁倍批支类座台辆起户种度吨亩张本篇处间钱套架艘枚颗部只头匹棵株栋幢层列趟款箱]"
)

# Words of a number question that give the class of the asked-for number when its unit does not;
# the first that occurs in the question wins.
NUMBER_CUES: dict[str, str] = {
    "钱": "money", "投资": "money", "资金": "money", "经费": "money", "赃款": "money", "金额": "money",
    "花了": "money", "收入": "money", "百分之": "percent", "比例": "percent", "占比": "percent",
    "比重": "percent", "率": "percent", "容量": "power", "发电量": "power", "装机": "power",
    "度电": "power", "面积": "area", "造价": "money", "价格": "money", "售价": "money",
    "票价": "money", "罚款": "money", "罚": "money", "费用": "money", "花费": "money", "营收": "money",
    "利润": "money", "市值": "money", "估值": "money", "工资": "money", "薪": "money",
    "估价": "money", "价值": "money", "贷款": "money", "信贷": "money", "融资": "money", "奖金": "money",
    "补贴": "money", "捐款": "money", "营业额": "money", "销售额": "money", "成交额": "money",
}

# Counter characters after a one-character Chinese numeral that make it a number when answers
# are compared ("十年" -> "10年", "一次" -> "1次"; but "一把手" stays).
COUNTER_CHARS = frozenset("个次名人家所条项件场年月日号岁份位万亿届天周")


def unit_class_of(unit: str) -> str | None:
    """The class of a measure word; generic counters get 'count'."""
    if unit in UNIT_CLASS:
        return UNIT_CLASS[unit]
    if unit in GENERIC_COUNTERS:
        return "count"
    return None


# A news report's dateline at its very start: '2023-08-14 13:19', '2023年8月14日', '2023/8/14'.
# (A search snippet's 'Jun 13, 2022 ...' dates the web page, often not the events it reports.)
_LEADING_DATE = re.compile(
    r"^\s*[\[【(（]?\s*((?:19|20)\d{2})\s*(?:[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|年\s*\d{1,2}\s*月)")


def leading_year(text: str) -> str | None:
    """The year of a date that opens `text` (a report's dateline), else None."""
    m = _LEADING_DATE.match(text)
    return m.group(1) if m else None


def publication_year(published: str | None, first_paragraph: str) -> str | None:
    """An article's year: from its `published` field, else from a dateline opening its text."""
    m = re.search(r"(?:19|20)\d{2}", published or "")
    return m.group(0) if m else leading_year(first_paragraph)
