"""The number a number question asks for, in a sentence: the quantity whose unit and counted noun
fit the question (the amount a verb of change governs, for '增长了多少'), stated whole (its hedge,
its counted noun). Pure functions of the extractive reader."""

from __future__ import annotations

import re

from rag.answer import facts as F
from rag.answer.question import CHANGE_VERBS, Question, change_direction
from rag.answer.text import coverage
from rag.answer.tokenize import Tokenizer
from rag.answer.units import clause_at, unit_ok
from rag.text import split_clauses

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# a verb of change just before a quantity ('同比增长7.3%', '下降了2.1%', '提升效率约25%')
_AFTER_CHANGE = re.compile(rf"({CHANGE_VERBS})(?:了|到|至|为|效率|幅度)?(?:约|近|超|逾|达)?$")


def number_options(q: Question, sentence: str, tok: Tokenizer) -> list[tuple[float, F.Fact]]:
    """The quantities of the sentence that could answer a number question, each with how well its
    unit, counted noun and verb of change fit the question (>= 0.5: well enough), in text order."""
    out: list[tuple[float, F.Fact]] = []
    asked = set(_NUMBER.findall(q.text))
    for qty in F.quantities(sentence):
        # '营业收入同比增长了多少' asks the change: '营收59357亿元，同比增长7.3%' answers 7.3%, a share
        # of the revenue's unit, not the revenue
        verb = _AFTER_CHANGE.search(sentence[max(0, qty.start - 6):qty.start]) if q.change else None
        if not (unit_ok(q, qty) or verb is not None and qty.unit_class == "percent") or \
                _NUMBER.match(qty.text) and _NUMBER.match(qty.text)[0] in asked:
            continue  # '“海洋石油122”的造价' is not answered by the 122 of its name
        score = counted_match(q, sentence, qty, tok)
        if q.unit and qty.unit.startswith(q.unit):
            score += 0.25
        if verb is not None:  # the asked direction first: '增长7.3%…下降2.1%' answers '下降了多少' with 2.1%
            score = max(score, 1.0) + (1.0 if change_direction(verb.group(1)) == q.change else 0.5)
        out.append((score, qty))
    return out


def counted_match(q: Question, sentence: str, qty: F.Fact, tok: Tokenizer) -> float:
    """How well the thing counted by a quantity matches the question's counted noun (0..1).

    '835名党员教师' counts the noun after it; '家长会62次，' counts the noun before it in its clause.
    """
    if not q.focus:
        return 1.0
    alts = q.focus.split("|")
    after = sentence[qty.end:qty.end + 8]
    words = tok.pos(after) if after and "\u4e00" <= after[0] <= "\u9fff" else []
    # '541亿元人民币': after an amount or a share comes its currency, not the thing counted
    if words and words[0][1].startswith(("n", "j", "l", "b", "vn")) and qty.unit_class not in ("money", "percent"):
        noun = "".join(w for w, f in words[:3] if f.startswith(("n", "j", "l", "b", "vn")))
        return max(coverage([(a, 1.0)], noun) for a in alts)
    clause = clause_at(split_clauses(sentence), qty.start)
    near = max(coverage([(a, 1.0)], clause) for a in alts)
    if q.lang == "en":
        near = max(near, max(1.0 if a and a in qty.unit else 0.0 for a in alts))
    specific = bool(q.unit) and q.unit not in ("个", "人") and qty.unit.startswith(q.unit)
    return max(near, 0.6 if specific else 0.0)


# longest first; not the 近 of 最近3年 or 附近
_HEDGE = ("超过", "将近", "接近", "大约", "不到", "不足", "约", "近", "逾", "超")


def whole_quantity(q: Question, sentence: str, qty: F.Fact) -> F.Fact:
    """The quantity as an answer states it: with its hedge ('约25%', '近3000人'), its bound
    ('300项以上') and, after a bare counter, the noun it counts when the question asks for that
    noun ('多少个工作日' -> '7个工作日')."""
    start, end = qty.start, qty.end
    before = sentence[:start]
    hedge = next((h for h in _HEDGE if before.endswith(h)), "")
    if hedge and not (hedge == "近" and before[-2:] in ("最近", "附近")):
        start -= len(hedge)
    if q.focus and q.unit and qty.unit == q.unit:
        focus = q.focus.split("|")[0]
        n = 0
        while n < len(focus) and end + n < len(sentence) and sentence[end + n] == focus[n]:
            n += 1
        if n >= 2:
            end += n
    if start > 0 and sentence[start - 1] == "第" and re.search(r"第(?:几|多少)", q.text):
        start -= 1  # '排第几位' is answered by '第29位', not '29位'
    bound = re.match(r"以上|以下|左右|之间|上下", sentence[end:end + 2])
    if bound:  # '300项以上', '2300万美元至2600万美元之间': the bound belongs to the amount
        end += 2
    if (start, end) == (qty.start, qty.end):
        return qty
    return F.Fact(sentence[start:end], start, end, qty.kind, qty.unit, qty.unit_class)
