"""Turning a follow-up ('那隆回呢？', '他是谁？') into a standalone question, by rules (no LLM needed)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answer.lexicon import QUESTION_STOP, TITLES
from rag.answer.text import is_english
from rag.answer.tokenize import Tokenizer
from rag.records import Turn

_PRONOUN = re.compile(r"^(?:那么?|那个|这个|那里|这里|该|其|它|他|她|他们|她们|它们|此)|他|她|它|那里|这里|该[\u4e00-\u9fff]|其[\u4e00-\u9fff]|这座|这家|这个|那个|这位|那位|这场|这次|那天|当天")
_ELLIPTIC = re.compile(r"^(?:那|那么|还有|另外|而)?(.{1,12}?)呢[？?]?$")
_PRONOUN_WORDS = re.compile(r"他们|她们|它们|他|她|它|那里|这里|该|其|这座|这家|这个|那个|这位|那位|这场|这次|那天|当天")
_EN_PRONOUN = re.compile(r"\b(?:he|she|it|they|there|that|this|its|his|her|their)\b", re.I)
_LEAD = re.compile(r"^(?:那么|那|还有|另外|而)")


def last_user_question(history: Sequence[Turn]) -> str:
    """The most recent user turn of a conversation."""
    for turn in reversed(list(history)):
        if turn.role == "user" and turn.content.strip():
            return turn.content.strip()
    return ""


def needs_context(question: str, tok: Tokenizer | None = None) -> bool:
    """Whether a question is a follow-up that cannot stand alone (pronouns, '那…呢', very short,
    or, when a tokenizer is given, no named place/person/organisation of its own)."""
    q = question.strip()
    if is_english(q):
        return bool(_EN_PRONOUN.search(q)) or len(q.split()) <= 3
    if _PRONOUN.search(q) or _ELLIPTIC.match(q) or len(re.sub(r"[？?！!。，\s]", "", q)) <= 5:
        return True
    return tok is not None and not any(f in _NAMED for _, f in tok.pos(q))


_NAMED = frozenset({"ns", "nr", "nt", "nz"})
_NOUN_SUFFIX_CHARS = frozenset("站所局团队院部会馆厂区县市省镇村处科组班")
_TOPIC_TAGS = ("n", "j", "l", "b", "m", "q", "vn", "an", "s", "f", "eng")


def condense(question: str, history: Sequence[Turn], tok: Tokenizer) -> str:
    """A standalone question: the follow-up with the previous question's topic carried over.

    '那隆回呢？' after '天元区开了多少次家长会？' -> '隆回开了多少次家长会？' (the new entity replaces
    the old one of the same kind); '它的项目经理是谁？' after '智慧能源站是什么时候开工的？'
    -> '智慧能源站的项目经理是谁？' (the pronoun is replaced by the previous topic).
    """
    q = question.strip()
    prev = last_user_question(history)
    if not prev or not needs_context(q, tok):
        return q
    m = _ELLIPTIC.match(q)
    if m and not re.search(r"什么|谁|哪|多少|几|怎|如何", q):
        return _substitute(prev, _LEAD.sub("", m.group(1)).strip(), tok)
    topic = topic_of(prev, tok)
    if not topic or topic in q:
        return q
    body, n = _PRONOUN_WORDS.subn("", q, count=1)
    body = _LEAD.sub("", body) if not n else body
    return f"{topic}{body}"


def topic_of(prev: str, tok: Tokenizer) -> str:
    """The topic of a question: its leading run of nouns (with 的 between them)."""
    out: list[str] = []
    for i, (w, flag) in enumerate(tok.pos(prev)):
        if re.search(r"谁|什么|哪|多少|几|怎|如何|为什么|为何|何时", w):
            break
        # jieba often mis-tags place names at the start of a question (隆回/t, 怀化/v): keep the first word
        first = i == 0 and len(w) >= 2 and w not in QUESTION_STOP
        suffix = bool(out) and w in _NOUN_SUFFIX_CHARS
        if first or suffix or flag.startswith(_TOPIC_TAGS) or flag in _NAMED or (w == "的" and out):
            out.append(w)
        elif out:
            break
    while out and (out[-1] == "的" or tok.pos(out[-1])[0][1].startswith(("m", "q"))):
        out.pop()
    return "".join(out)


def _kind(word: str, flag: str) -> str:
    if word.endswith(TITLES):
        return "title"
    if flag == "ns" or word.endswith(("省", "市", "县", "区", "镇", "乡", "村")):
        return "place"
    if flag == "nr":
        return "person"
    return "noun" if flag.startswith("n") else "other"


def _substitute(prev: str, new: str, tok: Tokenizer) -> str:
    """Put the new entity in the place of the previous question's word of the same kind."""
    new_kind = _kind(new, tok.pos(new)[-1][1] if tok.pos(new) else "n")
    if new_kind == "title" or new.endswith(TITLES):
        new_kind = "title"
    for w, flag in tok.pos(prev):
        if w in QUESTION_STOP or w == new:
            continue
        if _kind(w, flag) == new_kind and new_kind != "other":
            return prev.replace(w, new, 1)
    first = tok.pos(prev)[0][0] if tok.pos(prev) else ""
    if len(first) >= 2 and first not in QUESTION_STOP and len(new) <= 8:
        return new + prev[len(first):]
    return f"{new}{prev}"
