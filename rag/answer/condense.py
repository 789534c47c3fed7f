"""Turning a follow-up ('那隆回呢？', '他是谁？') into a standalone question, by rules (no LLM needed)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rag.answer.lexicon import QUESTION_STOP
from rag.answer.question import detect_type
from rag.answer.text import is_english
from rag.answer.tokenize import Tokenizer

_PRONOUN = re.compile(r"^(?:那么?|那个|这个|那里|这里|该|其|它|他|她|他们|她们|它们|此)|他|她|它|那里|这里|该[\u4e00-\u9fff]|其[\u4e00-\u9fff]|这座|这家|这个|那个|这位|那位|这场|这次|那天|当天")
_ELLIPTIC = re.compile(r"^(?:那|那么|还有|另外|而)?(.{1,12}?)呢[？?]?$")
_PRONOUN_WORDS = re.compile(r"他们|她们|它们|他|她|它|那里|这里|该|其|这座|这家|这个|那个|这位|那位|这场|这次|那天|当天")
_EN_PRONOUN = re.compile(r"\b(?:he|she|it|they|there|that|this|its|his|her|their)\b", re.I)
_LEAD = re.compile(r"^(?:那么|那|还有|另外|而)")


def last_user_question(history: Sequence[Mapping[str, str]]) -> str:
    """The most recent user turn of an OpenAI-style history (role/content dicts)."""
    for turn in reversed(list(history)):
        if turn.get("role") == "user" and str(turn.get("content", "")).strip():
            return str(turn["content"]).strip()
    return ""


def needs_context(question: str) -> bool:
    """Whether a question is a follow-up that cannot stand alone (pronouns, '那…呢', very short)."""
    q = question.strip()
    if is_english(q):
        return bool(_EN_PRONOUN.search(q)) or len(q.split()) <= 3
    return bool(_PRONOUN.search(q) or _ELLIPTIC.match(q)) or len(re.sub(r"[？?！!。，\s]", "", q)) <= 5


def condense(question: str, history: Sequence[Mapping[str, str]], tok: Tokenizer) -> str:
    """A standalone question: the follow-up with the previous question's topic carried over.

    '那隆回呢？' after '天元区开了多少次家长会？' -> '隆回开了多少次家长会？' (the new entity replaces
    the old one of the same kind); '他是谁？' -> the previous question's topic words + '他是谁？'.
    """
    q = question.strip()
    prev = last_user_question(history)
    if not prev or not needs_context(q):
        return q
    m = _ELLIPTIC.match(q)
    if m and detect_type(q) == "what" and not re.search(r"什么|谁|哪|多少|几", q):
        return _substitute(prev, m.group(1).strip(), tok)
    topic = _topic(prev, tok)
    body = _LEAD.sub("", q)
    body = _PRONOUN_WORDS.sub("", body, count=1) if topic else body
    return f"{topic}{body}" if topic else q


def _topic(prev: str, tok: Tokenizer) -> str:
    """The topic of the previous question: its leading content words up to the question word."""
    words = tok.pos(prev)
    out: list[str] = []
    for w, flag in words:
        if re.search(r"谁|什么|哪|多少|几|怎|如何|为什么|为何|何时", w):
            break
        if w in QUESTION_STOP and not out:
            continue
        out.append(w)
    # keep the nouns of that prefix (drop a trailing verb/particle such as 是/的/有)
    while out and (out[-1] in QUESTION_STOP or tok.pos(out[-1])[0][1].startswith(("v", "u", "p", "d", "r"))):
        out.pop()
    topic = "".join(out)
    return topic + "的" if topic and not topic.endswith("的") else topic


def _substitute(prev: str, new: str, tok: Tokenizer) -> str:
    """Put the new entity in the place of the previous question's entity of the same kind."""
    prev_words = tok.pos(prev)
    new_flags = {f for _, f in tok.pos(new)}
    for w, flag in prev_words:
        if w in QUESTION_STOP:
            continue
        same_kind = flag in new_flags or (flag[:2] in {f[:2] for f in new_flags})
        if same_kind and flag.startswith(("ns", "nr", "nt", "nz", "n")) and w != new:
            return prev.replace(w, new, 1)
    return f"{new}{prev}"
