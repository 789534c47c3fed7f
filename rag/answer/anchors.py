"""Where a fact sits against the question's own words: next to its verb, right after the asked
word, and whether the question's names (or their abbreviations) are in a text. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answer.facts import Fact
from rag.answer.lexicon import SYNONYMS
from rag.answer.question import Question

ANCHOR_WINDOW = 8


def right_after_term(q: Question, sentence: str, fact: Fact) -> bool:
    """The fact follows a question word (or its synonym), at most '为/是/叫' in between."""
    before = sentence[max(0, fact.start - 8):fact.start]
    before = re.sub(r"(?:为|是|叫|叫做|名为|称为|：|:)$", "", before)
    return any(before.endswith(w) for t, _ in q.terms if len(t) >= 2 for w in (t, *SYNONYMS.get(t, ())))


def anchor_distance(q: Question, sentence: str, fact: Fact) -> int:
    """Characters between the fact and the nearest question word (or its synonym) in the sentence,
    within the fact's clause; a large number when none is there."""
    far = 10_000
    best = far
    for term, _ in q.terms:
        if term in q.entities or len(term) < 2:
            continue
        for word in (term, *SYNONYMS.get(term, ())):
            for m in re.finditer(re.escape(word), sentence):
                gap = m.start() - fact.end if m.start() >= fact.end else fact.start - m.end()
                if gap < 0 or re.search(r"[，。；！？,;]", sentence[min(m.end(), fact.end):max(m.start(), fact.start)]):
                    continue
                best = min(best, gap)
    return best


def abbreviates(short: str, text: str) -> bool:
    """'中科院' in a text saying '中国科学院', '港交所' for '香港交易所': every character of a short
    name of three or more, in order, within a span at most three times its length."""
    if len(short) < 3:
        return False
    pattern = ".{0,%d}?".join(map(re.escape, short)) % ((len(short),) * (len(short) - 1))
    return any(m.end() - m.start() <= 3 * len(short) for m in re.finditer(pattern, text))


def role_qualifier(q: Question) -> str:
    """The words right before the role in the question ('巡察办' in '市委巡察办主任是谁')."""
    if not q.role:
        return ""
    m = re.search(rf"([\u4e00-\u9fff]{{2,3}}){re.escape(q.role)}", q.text)
    return m.group(1) if m and m.group(1) not in ("的", "是") else ""


def nearest(q: Question, sentence: str, facts: Sequence[Fact]) -> Fact:
    """The fact next to a question word ('…随后他被空运到拉斯维加斯的一家医院' for '空运到哪个城市'),
    else the first one; `facts` is not empty."""
    gaps = [anchor_distance(q, sentence, f) for f in facts]
    best = min(range(len(facts)), key=gaps.__getitem__)
    return facts[best] if gaps[best] <= ANCHOR_WINDOW else facts[0]
