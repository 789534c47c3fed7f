"""What the answer chain's steps pass along: one frozen record, each step adding its fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rag.answer.base import Draft
from rag.records import Hit, MetadataFilter, Turn


@dataclass(frozen=True)
class AskState:
    """One question on its way through the chain: the request, then what each step found.

    Steps return `dataclasses.replace(state, ...)`; nothing is shared between requests."""

    question: str
    k: int
    mode: str
    t0: float  # time.perf_counter() at the start, for the total
    history: tuple[Turn, ...] = ()
    filters: MetadataFilter | None = None
    standalone: str = ""  # condense: the question able to stand alone
    hits: tuple[Hit, ...] = ()  # retrieve
    retrieval_ms: Mapping[str, float] = field(default_factory=dict)  # the retriever's own steps
    t_retrieve: float = 0.0
    draft: Draft | None = None  # answer
    first: Draft | None = None  # auto mode: the extractive draft the LLM's replaced
    t_answer: float = 0.0
