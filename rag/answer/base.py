"""The answerer contract: a question and numbered context paragraphs in, a Draft (text with [n] markers) out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pydantic import Field

from rag.records import Hit, Record


class Draft(Record):
    """An answer before citation checks: text with [n] markers, which n are cited, and their quotes."""

    text: str
    abstained: bool = False
    cited: tuple[int, ...] = ()
    quotes: dict[int, str] = Field(default_factory=dict)
    confidence: float = 0.0
    probability: float | None = None  # calibrated P(right), when a calibration model is loaded
    choice: float | None = None  # the fitted ranker's softmax share of the chosen sentence, when one is loaded
    flags: tuple[str, ...] = ()


class Answerer(Protocol):
    """Anything that answers a question from numbered context paragraphs ([1] is context[0])."""

    def answer(self, question: str, context: list[Hit]) -> Draft:
        """Answer from the context only; abstain when it does not hold the asked-for fact."""
        ...


def format_context(context: Sequence[Hit]) -> str:
    """The numbered context block shown to an LLM: '[n] headline\\nparagraph'."""
    blocks = []
    for n, hit in enumerate(context, start=1):
        p = hit.paragraph
        head = f"《{p.article_title}》" if p.article_title else ""
        blocks.append(f"[{n}] {head}\n{p.text}")
    return "\n\n".join(blocks)
