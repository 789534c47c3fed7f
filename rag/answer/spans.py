"""The spans of the asked-for kind in a sentence, for a typed question (number, date, person,
place, entity, name), with the pick of the reader's hand rule: what the span model
(rag/answer/span.py) chooses among. Pure functions of the question, the sentence and a tokenizer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answer import facts as F
from rag.answer.anchors import nearest, role_qualifier
from rag.answer.lexicon import SYNONYMS
from rag.answer.numbers import number_options
from rag.answer.question import Question
from rag.answer.tokenize import Tokenizer
from rag.text import fold as normalize

MAX_NAME_CHARS = 16  # a quote longer than this is a statement, not a name


@dataclass(frozen=True)
class Spans:
    """A sentence's spans of the asked-for kind, in text order; `rule`: the hand rule's pick;
    `ok`: whether the sentence holds the asked-for fact well enough; `fits`: each span's fit."""

    facts: list[F.Fact]
    rule: int
    ok: bool
    fits: list[float] | None = None


def typed_spans(q: Question, sentence: str, tok: Tokenizer) -> Spans | None:
    """The sentence's spans of the asked-for kind with the hand rule's pick; None for an open
    (what/why/how/list) question, which has no typed span."""
    if q.qtype == "number":
        opts = number_options(q, sentence, tok)
        if not opts:
            return Spans([], 0, False)
        fits = [s for s, _ in opts]
        rule = fits.index(max(fits))
        return Spans([f for _, f in opts], rule, fits[rule] >= 0.5, fits)
    if q.qtype == "date":
        # 'IT之家8月17日消息' dates the report, not the event
        # (nor does the question's own '2022年' of '2022年法网开始时间' answer it)
        ds = [d for d in F.dates(sentence) if F.date_matches(d, q.date_grain)
              and not re.match(r"(?:消息|电|讯)", sentence[d.end:d.end + 2]) and d.text not in q.text]
        return Spans(ds, _index(ds, nearest(q, sentence, ds)) if ds else 0, bool(ds))
    if q.qtype == "person":
        return _person_spans(q, sentence, tok)
    if q.qtype in ("place", "entity"):
        ents = [e for e in F.entities(sentence, q.entity_kind, tok) if normalize(e.text) not in normalize(q.text)]
        if q.qtype == "place" and not q.entity_kind:
            ents = [e for e in ents if e.text.endswith(F.PLACE_SUFFIXES) or len(e.text) >= 2]
        if q.entity_kind in F.PLACE_KINDS:  # '哪个国家': a place name, not '上市公司'
            ents = [e for e in ents if F.is_place(e.text, tok)]
        elif not ents and q.entity_kind:
            ents = [e for e in F.quoted(sentence) if normalize(e.text) not in normalize(q.text)]
        if q.qtype == "place" and not q.entity_kind:  # '躲藏在哪里': '躲藏在一家酒店' names no place
            taken = {(e.start, e.end) for e in ents}
            ents = sorted([*ents, *(f for f in F.locatives(sentence, tok) if (f.start, f.end) not in taken
                                    and normalize(f.text) not in normalize(q.text))], key=lambda e: e.start)
        # '…随后他被空运到拉斯维加斯的一家医院': the place next to the question's verb, else the first
        return Spans(ents, _index(ents, nearest(q, sentence, ents)) if ents else 0, bool(ents))
    if q.needs_name:
        names = [e for e in (*F.quoted(sentence), *F.model_names(sentence))
                 if len(e.text) <= MAX_NAME_CHARS and normalize(e.text) not in normalize(q.text)
                 and _next_to_terms(q, sentence, e)]
        names.sort(key=lambda e: e.start)
        return Spans(names, 0, bool(names))
    return None


def _person_spans(q: Question, sentence: str, tok: Tokenizer) -> Spans:
    names = [p for p in F.persons(sentence, tok) if normalize(p.text) not in normalize(q.text)]
    if not names:
        return Spans([], 0, False)
    roles = [q.role] if q.role else (q.focus.split("|") if q.focus else [])
    if not roles:
        # '是谁主持的': the name next to the question's own words ('…胡志威主持'), else the first
        return Spans(names, _index(names, nearest(q, sentence, names)), True)
    qualifier = role_qualifier(q)
    found: F.Fact | None = None
    for role in roles:
        for m in re.finditer(re.escape(role), sentence):
            for p in names:
                if 0 <= p.start - m.end() <= 12 or 0 <= m.start() - p.end <= 2:
                    # '巡察办主任是谁' prefers the 主任 of 巡察办 over another 主任 in the same sentence
                    if qualifier and qualifier in sentence[max(0, m.start() - len(qualifier) - 2):m.start()]:
                        return Spans(names, _index(names, p), True)
                    found = found or p
    return Spans(names, _index(names, found), True) if found else Spans(names, 0, False)


def _next_to_terms(q: Question, sentence: str, fact: F.Fact) -> bool:
    """A quoted name answers '叫什么' only right next to a word of the question (推送“心育园地”)."""
    window = sentence[max(0, fact.start - 3):fact.start] + sentence[fact.end:fact.end + 3]
    words = {w for t, _ in q.terms for w in (t, *SYNONYMS.get(t, ()))}
    return any(w[:2] in window or w[-2:] in window for w in words)


def _index(facts: Sequence[F.Fact], fact: F.Fact) -> int:
    return next(i for i, f in enumerate(facts) if f is fact)
