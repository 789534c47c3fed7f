"""Turning a chosen sentence into the answer's text: trimmed around its fact, closed with a full
stop, with its citation marker inside."""

from __future__ import annotations

import re

from rag.answer import facts as F
from rag.answer.question import Question
from rag.text import split_clauses

MAX_ANSWER_CHARS = 150


def trim(sentence: str, fact: F.Fact | None, q: Question) -> str:
    """The sentence, or for long ones the clauses around the fact, ending with a full stop."""
    if len(sentence) <= MAX_ANSWER_CHARS or q.qtype in ("list",):
        return close_sentence(sentence)
    clauses = split_clauses(sentence)
    if fact is None:
        kept = ""
        for c in clauses:
            if len(kept) + len(c) > MAX_ANSWER_CHARS and kept:
                break
            kept += c
        return close_sentence(kept)
    i_fact, acc = 0, 0
    for i, c in enumerate(clauses):
        if acc <= fact.start < acc + len(c):
            i_fact = i
        acc += len(c)
    lo = hi = i_fact
    while True:
        grown = False
        if lo > 0 and len("".join(clauses[lo - 1:hi + 1])) <= MAX_ANSWER_CHARS:
            lo, grown = lo - 1, True
        if hi + 1 < len(clauses) and len("".join(clauses[lo:hi + 2])) <= MAX_ANSWER_CHARS // 2:
            hi, grown = hi + 1, True
        if not grown:
            break
    return close_sentence("".join(clauses[lo:hi + 1]))


def with_marker(snippet: str, n: int) -> str:
    """'…62次。' -> '…62次[1]。' (the marker sits inside the sentence it supports)."""
    m = re.search(r"[。！？!?…]+[”」』）)]*$", snippet)
    if m and not re.search(r"[”」』）)]$", snippet):
        return f"{snippet[:m.start()]}[{n}]{snippet[m.start():]}"
    return f"{snippet}[{n}]"


def close_sentence(text: str) -> str:
    text = text.strip()
    text = re.sub(r"[，,、：:；;]$", "", text)
    if not re.search(r"[。！？!?”」』）)…]$", text):
        text += "。"
    return text
