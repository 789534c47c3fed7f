"""Text helpers of the reader: language detection, bigrams and term coverage (splitting is rag.text)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rag.answer.lexicon import SYNONYMS
from rag.text import fold, split_clauses, split_sentences

# split_sentences and split_clauses live in rag.text; they stay importable from here for the
# reader's modules that still import them through this one.
__all__ = [
    "bigrams",
    "coverage",
    "is_english",
    "missing_terms",
    "split_clauses",
    "split_sentences",
]

_ASCII_WORD = re.compile(r"[A-Za-z]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")

def is_english(text: str) -> bool:
    """True when a question is written mostly in Latin letters (few or no Han characters)."""
    letters = sum(len(w) for w in _ASCII_WORD.findall(text))
    han = len(_HAN.findall(text))
    return letters >= 3 and letters > 2 * han


def bigrams(text: str) -> set[str]:
    """Character bigrams of the Han/alnum characters of a text."""
    chars = [c for c in fold(text) if c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def coverage(terms: Sequence[tuple[str, float]], text: str) -> float:
    """Weighted share of terms found in text; a term counts half when only its bigrams mostly occur."""
    total = sum(w for _, w in terms)
    if total <= 0:
        return 0.0
    norm = fold(text)
    grams = bigrams(norm)
    got = 0.0
    for term, w in terms:
        t = fold(term)
        if t in norm:
            got += w
        elif any(s in norm for s in SYNONYMS.get(t, ())):
            got += 0.9 * w
        elif len(t) >= 3:
            tg = bigrams(t)
            if tg and len(tg & grams) / len(tg) >= 0.5:
                got += 0.5 * w
    return got / total


def missing_terms(terms: Iterable[str], text: str) -> list[str]:
    """Terms that do not occur in text (folded, rag.text.fold)."""
    norm = fold(text)
    return [t for t in terms if fold(t) not in norm]

