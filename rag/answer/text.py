"""Chinese text helpers for the reader: sentence and clause splitting, language detection, term coverage."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from rag.answer.lexicon import SYNONYMS

# A sentence ends at 。！？；… (or ASCII !?;), and any closing quotes/brackets right after the stop
# belong to the sentence that they close, not to the next one.
_SENT_END = re.compile(r"(?:[。！？!?；;]+|…{1,2}|\.{3,6})[”’」』）)\]】]*")
_CLAUSE_END = re.compile(r"[，,：:、]")
_CLAUSE_SPLIT = re.compile(r"(?<=[，,：:；;。！？!?])")
_ASCII_WORD = re.compile(r"[A-Za-z]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SPACE = re.compile(r"\s+")


def split_sentences(text: str) -> list[str]:
    """Split Chinese text into sentences, keeping the punctuation and closing quotes."""
    out: list[str] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        piece = text[pos:m.end()].strip()
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
        if merged and not _HAN.search(s) and not re.search(r"[A-Za-z0-9]", s):
            merged[-1] += s
        else:
            merged.append(s)
    return merged


def split_clauses(sentence: str) -> list[str]:
    """Split a sentence at commas, colons and semicolons (punctuation kept on the left piece)."""
    return [c for c in _CLAUSE_SPLIT.split(sentence) if c.strip()]


def normalize(text: str) -> str:
    """NFKC width folding and no spaces: what term matching compares."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


def is_english(text: str) -> bool:
    """True when a question is written mostly in Latin letters (few or no Han characters)."""
    letters = sum(len(w) for w in _ASCII_WORD.findall(text))
    han = len(_HAN.findall(text))
    return letters >= 3 and letters > 2 * han


def bigrams(text: str) -> set[str]:
    """Character bigrams of the Han/alnum characters of a text."""
    chars = [c for c in normalize(text) if c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def coverage(terms: Sequence[tuple[str, float]], text: str) -> float:
    """Weighted share of terms found in text; a term counts half when only its bigrams mostly occur."""
    total = sum(w for _, w in terms)
    if total <= 0:
        return 0.0
    norm = normalize(text)
    grams = bigrams(norm)
    got = 0.0
    for term, w in terms:
        t = normalize(term)
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
    """Terms that do not occur in text (normalised)."""
    norm = normalize(text)
    return [t for t in terms if normalize(t) not in norm]

