"""Citation checks as pure functions: find and drop [n] markers, map them to Citation records, check support."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rag.answer.text import bigrams
from rag.records import Citation, Hit
from rag.text import fold, split_sentences

_MARKER = re.compile(r"\s?\[(\d{1,3})(?:\s*[,，、]\s*\d{1,3})*\]")
_ONE = re.compile(r"\d{1,3}")


def find_markers(text: str) -> list[int]:
    """Every cited n in order of first appearance ('[1][3]' and '[1, 3]' both give 1, 3)."""
    seen: list[int] = []
    for m in _MARKER.finditer(text):
        for n in (int(x) for x in _ONE.findall(m.group(0))):
            if n not in seen:
                seen.append(n)
    return seen


def drop_unknown_markers(text: str, k: int) -> str:
    """Remove markers whose n is not 1..k (a model citing a paragraph it was not given)."""

    def keep(m: re.Match[str]) -> str:
        ns = [int(x) for x in _ONE.findall(m.group(0))]
        good = [n for n in ns if 1 <= n <= k]
        return "".join(f"[{n}]" for n in dict.fromkeys(good))

    return _MARKER.sub(keep, text)


def strip_markers(text: str) -> str:
    """The text without any [n] markers."""
    return _MARKER.sub("", text).strip()


def best_quote(claim: str, paragraph_text: str) -> str:
    """The sentence of a paragraph that shares the most character bigrams with a claim."""
    sentences = split_sentences(paragraph_text) or [paragraph_text]
    target = bigrams(strip_markers(claim))
    return max(sentences, key=lambda s: len(bigrams(s) & target) / (1 + 0.002 * len(s)))


def support(claim: str, paragraph_text: str) -> float:
    """Share of the claim's character bigrams found in the paragraph (0..1); numbers must match exactly."""
    claim_n = fold(strip_markers(claim))
    grams = bigrams(claim_n)
    if not grams:
        return 0.0
    para = fold(paragraph_text)
    share = len(grams & bigrams(para)) / len(grams)
    numbers = re.findall(r"\d+(?:\.\d+)?", claim_n)
    if numbers and not all(x in para for x in numbers):
        share = min(share, 0.3)
    return share


def claims_with_markers(text: str) -> list[tuple[str, list[int]]]:
    """Split an answer into sentences, each with the markers it carries."""
    out: list[tuple[str, list[int]]] = []
    for sentence in split_sentences(text):
        lead = re.match(r"(?:\s*\[\d{1,3}(?:\s*[,，、]\s*\d{1,3})*\])+", sentence)
        if lead and out:  # markers written after the full stop belong to the sentence before
            out[-1] = (out[-1][0] + lead.group(0), out[-1][1] + find_markers(lead.group(0)))
            sentence = sentence[lead.end():]
        ns = find_markers(sentence)
        if strip_markers(sentence):
            out.append((sentence, ns))
        elif out and ns:  # a marker that got split off after the stop
            out[-1] = (out[-1][0], out[-1][1] + ns)
    return out


def build_citations(
    cited: Iterable[int], context: Sequence[Hit], quotes: dict[int, str] | None = None, text: str = ""
) -> tuple[Citation, ...]:
    """Citation records for the cited n (1-based, in context); a missing quote is the best-matching sentence."""
    out: list[Citation] = []
    for n in dict.fromkeys(cited):
        if not 1 <= n <= len(context):
            continue
        hit = context[n - 1]
        p = hit.paragraph
        quote = (quotes or {}).get(n) or best_quote(text, p.text)
        out.append(Citation(n=n, article_id=p.article_id, article_title=p.article_title,
                            paragraph_id=p.paragraph_id, text=p.text, quote=quote, score=hit.score))
    return tuple(out)


def related_citations(context: Sequence[Hit], limit: int = 3) -> tuple[Citation, ...]:
    """The closest paragraphs, shown as 'possibly related' when the answer was not found."""
    return tuple(
        Citation(n=n, article_id=h.paragraph.article_id, article_title=h.paragraph.article_title,
                 paragraph_id=h.paragraph.paragraph_id, text=h.paragraph.text,
                 quote=split_sentences(h.paragraph.text)[0] if h.paragraph.text else "", score=h.score)
        for n, h in enumerate(list(context)[:limit], start=1)
    )
