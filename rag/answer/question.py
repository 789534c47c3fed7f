"""What a question asks for: its type (number, person, date, ...), the unit or role it needs, and its key terms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rag.answer.lexicon import (
    CHANGE_DOWN,
    CHANGE_UP,
    EN_NOUNS,
    NOT_PLACE_NAMES,
    QUESTION_STOP,
    TITLES,
)
from rag.answer.text import is_english
from rag.answer.tokenize import Tokenizer
from rag.text import NUMBER_CUES, QUESTION_UNITS, fold, unit_class_of

QType = Literal["number", "person", "date", "place", "entity", "name", "list", "why", "how", "what"]

# Order matters: the first cue that matches decides the type.
_ZH_CUES: tuple[tuple[QType, re.Pattern[str]], ...] = (
    ("why", re.compile(r"为什么|为何|什么原因|原因是|目的是|为了什么|有什么好处|有何好处|有什么意义|有何意义")),
    ("date", re.compile(r"什么时候|何时|哪一?天|哪一?年|几月|几号|哪个月|什么时间|哪一?日|日期|哪年")),
    ("person", re.compile(r"谁|哪[一两三几]?位|哪[两三几]个人|叫什么名字|姓名")),
    ("place", re.compile(r"哪里|哪儿|在哪(?![些个方领类行])|什么地方|何处|何地|哪个(?:地方|城市|省|市|县|区|镇|乡|村|街道|社区)")),
    ("list", re.compile(r"哪些|哪几|哪[两三四五六七八九十]|有什么|都有|包括什么|分别")),
    ("number", re.compile(r"多少|几[个次名位人家所条项件场份届天年岁倍批支类座台辆起户种万千百十]|有几|多[大长高远久重宽深]|百分之几|比例|占比|比重")),
    ("how", re.compile(r"如何|怎么|怎样|什么办法|什么方式|什么措施|哪种方式|通过什么|靠什么|用什么|采取了?什么")),
    ("entity", re.compile(r"哪[一]?[所个家座支条项只部本篇种][\u4e00-\u9fff]")),
)
_PERSON_NOUN = re.compile(
    r"(?:长|书记|主任|经理|负责人|领导|老师|教师|记者|委员|主席|代表|队员|民警|干部|学生|家长|人员|员工|同志|"
    + "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
    + r")(?:的)?(?:叫什么|姓名|是哪位)")
_WHICH = re.compile(r"哪(?:一|两|几)?[所个家座支条项只部本篇位种]")
_UNIT_AFTER = re.compile(rf"(?:多少|几)({QUESTION_UNITS})?")
_ROLE_BEFORE = re.compile(r"([\u4e00-\u9fff]{1,6}?)(?:是谁|叫什么名字|叫什么|姓什么|是哪位|由谁)")
_NAME_OF = re.compile(r"叫什么(?:名字)?|名称是什么|什么名字|叫作什么|是什么名")
_EN_TYPES: tuple[tuple[QType, re.Pattern[str]], ...] = (
    ("why", re.compile(r"\bwhy\b", re.I)),
    ("number", re.compile(r"\bhow (?:many|much|long|large|big|high)\b|\b(?:rate|percentage|proportion|number of|total)\b", re.I)),
    ("date", re.compile(r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b|\bwhich (?:year|day|month)\b", re.I)),
    ("person", re.compile(r"\bwho\b|\bwhose\b|\bwhat is the name of the (?:director|head|chief)\b", re.I)),
    ("place", re.compile(r"\bwhere\b|\bwhich (?:city|county|district|province|town|village|street)\b", re.I)),
    ("list", re.compile(r"\bwhich (?:\w+ )?(?:ones|activities|measures|platforms|items)\b|\bwhat are\b", re.I)),
    ("how", re.compile(r"\bhow\b", re.I)),
)
_MULTI_SPLIT = re.compile(r"(?<=[？?；;])|[，,](?=又|还|另外|以及|同时|再)|，(?=[^，]*(?:多少|谁|哪|什么|几))")


@dataclass(frozen=True)
class Question:
    """The analysed question: type, required unit/role/entity kind, and weighted key terms."""

    text: str
    lang: Literal["zh", "en"]
    qtype: QType
    terms: tuple[tuple[str, float], ...] = ()
    unit: str | None = None
    unit_class: str | None = None
    date_grain: Literal["year", "month", "day", "any"] | None = None
    focus: str | None = None
    entity_kind: str | None = None
    role: str | None = None
    needs_name: bool = False
    parts: tuple[str, ...] = field(default=())
    entities: tuple[str, ...] = ()
    years: tuple[str, ...] = field(default=(), metadata={"doc": "Years the question is about "
                                   "('2021年…', '2021-2022赛季'): an answer about another year misses."})
    change: str = field(default="", metadata={"doc": "A number question that asks how much something "
                        "changed: 'up' ('同比增长了多少'), 'down' ('下降了多少'), else '': the amount after the verb."})


_YEAR_IN_Q = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def question_years(text: str) -> tuple[str, ...]:
    """The four-digit years a question names."""
    return tuple(dict.fromkeys(_YEAR_IN_Q.findall(text)))


# A search-style question names only its head noun ('硅谷银行破产时间', '2022年8月我国汽车出口量'):
# the head tells the asked-for type when no question word does.
_HEAD_NOUNS: tuple[tuple[QType, re.Pattern[str]], ...] = (
    ("date", re.compile(r"(?:时间|日期|时候|年份)$")),
    ("place", re.compile(r"(?:地点|地址|举办地|发生地|所在地|起点|终点)$")),
    ("number", re.compile(r"(?:[产销总运流]量|[交出进发]口?[付售行]?量|人数|数量|金额|票房|售价|价格|票价"
                          r"|点数|增速|增长率|增幅|震级|营收|市值)$")),
    ("person", re.compile(r"(?:主教练|主演|导演|得主|主持人)$")),
)


def detect_type(text: str) -> QType:
    """The type of fact a question asks for, from Chinese or English cue words."""
    if is_english(text):
        for qtype, pat in _EN_TYPES:
            if pat.search(text):
                return qtype
        return "what"
    for qtype, pat in _ZH_CUES:
        if pat.search(text):
            if qtype == "person" and re.search(r"叫什么名字|姓名", text) and not _PERSON_NOUN.search(text):
                return "what"
            if qtype == "list" and re.search(r"哪[两三几]?位|哪[两三几]个人", text):
                return "person"
            return qtype
    if _PERSON_NOUN.search(text):
        return "person"
    if re.search(r"什么人", text):
        return "what"
    head = re.sub(r"[？?。！!\s]+$", "", text)
    for qtype, pat in _HEAD_NOUNS:
        if pat.search(head):
            return qtype
    if head.endswith(TITLES) and not re.search(r"[吗呢]$", head):
        return "person"
    return "what"


# a clause asks something only with a question word: '要是没达到电动化比例要求，会被罚多少钱' asks once
_INTERROGATIVE = re.compile(r"多少|几|谁|哪|什么|吗|呢|如何|怎么|怎样|为何|何时|何地|多[大长高远久重宽深]")


def split_parts(text: str) -> tuple[str, ...]:
    """A question that asks two things ('…多少？又有多少…？') as its sub-questions; else the question itself."""
    pieces = [p.strip(" ，,") for p in _MULTI_SPLIT.split(text) if p and p.strip(" ，,？?")]
    asking = [p for p in pieces if _INTERROGATIVE.search(p)]
    # '…哪三种颜色，答案是什么？' asks one thing: every part must say enough to stand as a question
    substantial = all(len(re.findall(r"[\u4e00-\u9fff]", p)) >= 6 for p in pieces)
    if len(pieces) >= 2 and len(asking) >= 2 and substantial:
        return tuple(pieces)
    return (text,)


# '同比增长了多少', '下降了几个百分点', '提升了多少': the asked number is the one the verb of change governs
CHANGE_VERBS = "|".join(sorted((*CHANGE_UP, *CHANGE_DOWN), key=len, reverse=True))
_ASKS_CHANGE = re.compile(rf"({CHANGE_VERBS})了?(?:多少|几)")


def change_direction(verb: str) -> str:
    """'up' or 'down' for a verb of change."""
    return "up" if verb in CHANGE_UP else "down"


def _asked_change(text: str) -> str:
    m = _ASKS_CHANGE.search(text)
    return change_direction(m.group(1)) if m else ""


def analyze(text: str, tok: Tokenizer) -> Question:
    """Analyse one (single-part) question."""
    lang: Literal["zh", "en"] = "en" if is_english(text) else "zh"
    qtype = detect_type(text)
    parts = split_parts(text) if lang == "zh" else (text,)
    if lang == "en":
        return _analyze_en(text, qtype, parts)
    words = tok.pos(text)
    terms = _terms(words)
    unit, ucls, focus = _number_cues(text, tok) if qtype == "number" else (None, None, None)
    grain = _date_grain(text) if qtype == "date" else None
    role = _role(text) if qtype == "person" else None
    kind = _which_kind(text, words) if qtype in ("entity", "place", "person") else None
    needs_name = qtype == "what" and bool(_NAME_OF.search(text))
    return Question(text, lang, qtype, terms, unit, ucls, grain, focus, kind, role, needs_name, parts,
                    _entities(words), question_years(text),
                    change=_asked_change(text) if qtype == "number" else "")


_ADMIN = re.compile(r"[\u4e00-\u9fff]{1,6}(?:省|市|县|区|镇|乡|村|街道)$")


def _entities(words: list[tuple[str, str]]) -> tuple[str, ...]:
    """Names of places and organisations in the question (jieba's person and other-name tags are too noisy)."""
    out = []
    for w, flag in words:
        if (len(w) >= 2 and w not in QUESTION_STOP and w not in NOT_PLACE_NAMES
                and (flag in ("ns", "nt") or _ADMIN.fullmatch(w))):
            out.append(w)
    return tuple(dict.fromkeys(out))


def _terms(words: list[tuple[str, str]]) -> tuple[tuple[str, float], ...]:
    """Content words weighted by length and kind: names of places/people/organisations weigh most."""
    out: dict[str, float] = {}
    for w, flag in words:
        if w in QUESTION_STOP or not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", w):
            continue
        if len(w) < 2 and not w.isdigit():
            continue
        weight = min(len(w), 4) / 2
        if flag in ("ns", "nr", "nt", "nz") or re.search(r"\d", w):
            weight *= 1.5
        out[w] = max(out.get(w, 0.0), weight)
    return tuple(out.items())


def _number_cues(text: str, tok: Tokenizer) -> tuple[str | None, str | None, str | None]:
    m = _UNIT_AFTER.search(text)
    unit = m.group(1) if m and m.group(1) else None
    if unit == "钱":
        unit = "元"
    ucls = unit_class_of(unit) if unit else None
    if ucls in (None, "count"):
        for cue, cls in NUMBER_CUES.items():
            if cue in text:
                ucls = cls
                break
    if re.search(r"多久|多长时间|多少年|多少天", text) and ucls in (None, "count"):
        ucls = "duration"
    elif re.search(r"多重|多沉|重量|体重|多少斤|多少吨|多少公斤", text) and ucls in (None, "count"):
        ucls = "weight"
    elif re.search(r"多长|多远|全长|长度|里程|距离|多少公里|多少米", text) and ucls in (None, "count"):
        ucls = "length"
    elif re.search(r"多少瓦|功率|充电|电池容量|续航", text) and ucls in (None, "count"):
        ucls = "power"
    focus = None
    quoted = re.match(r"[“\"']([^”\"']{1,12})[”\"']", text[m.end():]) if m else None
    if quoted:
        focus = quoted.group(1)
    elif m:
        rest = re.sub(r"^[？?。！!]*", "", text[m.end():])
        # '…的社区有几个？' counts the noun before; '…有多少人被移送…' names no counted noun
        focus = _noun_phrase(rest, tok) if rest else _noun_phrase(text[:m.start()], tok, last=True)
        if focus is None and rest:
            raw = re.match(r"[\u4e00-\u9fff]{2,4}(?=[？?。，,]|$)", rest)
            focus = raw.group(0) if raw else None
    return (unit, *_measured(ucls, focus))


# The attribute a number question asks of a thing, not the thing counted: '酒店数量' counts 酒店,
# '占比' and '比重' ask for a share, '高度' for a length.
_MEASURE_HEAD = re.compile(r"(?:中|里|内)?(?:的)?(数量|数目|总数|总量|总额|金额|规模|人数|次数|占比|比重|比例|份额|高度|长度)$")
_HEAD_CLASS = {"占比": "percent", "比重": "percent", "比例": "percent", "份额": "percent",
               "高度": "length", "长度": "length"}


def _measured(ucls: str | None, focus: str | None) -> tuple[str | None, str | None]:
    """The unit class and counted noun once a measure head ('…数量', '…占比') is taken off the focus."""
    while focus and (m := _MEASURE_HEAD.search(focus)):
        head = m.group(1)
        if head in _HEAD_CLASS and ucls in (None, "count", "money"):
            ucls = _HEAD_CLASS[head]
        focus = focus[:m.start()] or None
    return ucls, focus


_NOUNISH = ("n", "j", "l", "nz", "ns", "nt", "nr", "vn", "an", "b")


def _noun_phrase(phrase: str, tok: Tokenizer, last: bool = False) -> str | None:
    """The counted noun: the nouns right after 多少+unit (or, with last, right before 有多少)."""
    phrase = re.sub(r"[“”\"'《》？?！!。，,]", "", phrase)
    words = tok.pos(phrase)
    if last:
        words = list(reversed(words))
    got: list[str] = []
    for w, f in words:
        if w in QUESTION_STOP and not got:
            continue
        if f.startswith(_NOUNISH) and w not in QUESTION_STOP:
            got.append(w)
        elif got or f.startswith(("v", "p", "u")):
            break
    if last:
        got.reverse()
    head = "".join(got[-2:]) if got else ""
    return head if len(head) >= 2 else None


def _date_grain(text: str) -> Literal["year", "month", "day", "any"]:
    if re.search(r"哪一?年|几几年|什么年份", text):
        return "year"
    if re.search(r"几月|哪个月", text):
        return "month"
    if re.search(r"哪一?天|几号|哪一?日|日期", text):
        return "day"
    return "any"


def _role(text: str) -> str | None:
    """The title of the asked-for person (局长, 项目经理, 副书记…), which the answer sentence must name."""
    m = re.search(r"哪[一两三几]?位([\u4e00-\u9fff]{1,6})", text) or _ROLE_BEFORE.search(text)
    if not m:
        return None
    which = m.re is not _ROLE_BEFORE
    phrase = m.group(1).split("的")[0 if which else -1]
    for title in sorted(TITLES, key=len, reverse=True):
        if phrase.endswith(title) or (which and phrase.startswith(title)):
            return title
    return None


def _which_kind(text: str, words: list[tuple[str, str]]) -> str | None:
    """For '哪所小学' / '哪家公司' the kind of entity asked for (小学, 公司)."""
    m = _WHICH.search(text)
    if not m:
        return None
    rest = text[m.end():]
    for w, _ in words:
        if rest.startswith(w) and re.fullmatch(r"[\u4e00-\u9fff]+", w) and w not in QUESTION_STOP:
            return w
    return None


def _analyze_en(text: str, qtype: QType, parts: tuple[str, ...]) -> Question:
    low = text.lower()
    unit_cls = None
    focus = None
    if qtype == "number":
        if re.search(r"\b(?:investment|invest|cost|money|yuan|budget|fund|spent)\b", low):
            unit_cls = "money"
        elif re.search(r"\b(?:rate|percentage|percent|proportion|share)\b", low):
            unit_cls = "percent"
        elif re.search(r"\bhow long\b", low):
            unit_cls = "duration"
    m = re.search(r"\bhow many ((?:[\w-]+ ){0,3}?[\w-]+?)(?: (?:did|do|does|were|are|was|is|have|has|had|in|of|work|will)\b|[?]|$)", low)
    scope = m.group(1) if m else low
    for en, zh in EN_NOUNS.items():
        if re.search(rf"\b(?:{en})\b", scope):
            focus = zh
            break
    grain = _date_grain_en(low) if qtype == "date" else None
    return Question(text, "en", qtype, (), None, unit_cls, grain, focus, None, None, False, parts)


def _date_grain_en(low: str) -> Literal["year", "month", "day", "any"]:
    if re.search(r"\b(?:what|which) year\b|\bin which year\b", low):
        return "year"
    if re.search(r"\b(?:what|which) (?:day|date)\b", low):
        return "day"
    return "any"


def key_text(q: Question) -> str:
    """The normalised question text, for caching."""
    return fold(q.text)
