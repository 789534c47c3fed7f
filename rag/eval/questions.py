"""The question-set record and its loader (format documented in eval/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rag.errors import EvalError
from rag.records import Turn

QuestionType = Literal[
    "number",
    "person",
    "date",
    "place",
    "list",
    "why",
    "how",
    "what",
    "multi",
    "followup",
    "english",
    "unanswerable",
]
QUESTION_TYPES: tuple[str, ...] = get_args(QuestionType)
"""The types our own sets use; any other `type` of an evaluator's set is kept as a label."""


class QuestionItem(BaseModel):
    """One evaluation question with its gold answers and the evidence that supports them.

    An evaluator's set loads as it is: a `type` that is not one of ours is kept as a label (and
    reported by type), a missing one becomes 'answerable' or 'unanswerable' from the answers, and
    fields we do not know ride along in `extras` into the report.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    id: str = Field(min_length=1, description="Stable id, e.g. 'q001'.")
    question: str = Field(min_length=1)
    answers: tuple[str, ...] = Field((), description="ANY of these must appear in the answer.")
    answers_all: tuple[str, ...] = Field((), description="ALL of these must appear in the answer.")
    evidence: tuple[str, ...] = Field(
        (), description="Verbatim substrings of the gold paragraph(s)."
    )
    gold_docs: tuple[str, ...] = Field(
        (), description="Ids of the articles that hold the answer (a JSONL corpus's `id`s); "
        "retrieval is scored on them when there is no evidence."
    )
    type: str = Field("", description="One of QUESTION_TYPES, or any label of the set's own.")
    history: tuple[Turn, ...] = Field((), description="Earlier turns, for follow-up questions.")

    @field_validator("history")
    @classmethod
    def _turns_say_something(cls, history: tuple[Turn, ...]) -> tuple[Turn, ...]:
        if any(not t.content for t in history):
            raise ValueError("every turn needs content")
        return history

    @property
    def unanswerable(self) -> bool:
        """Whether the corpus does not hold the answer (the system should abstain)."""
        return self.type == "unanswerable"

    @property
    def extras(self) -> dict[str, Any]:
        """The fields of the line that this record does not model, as they were."""
        return dict(self.model_extra or {})

    @model_validator(mode="before")
    @classmethod
    def _default_type(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("type"):
            data = {**data, "type": "answerable" if data.get("answers") or data.get("answers_all")
                    else "unanswerable"}
        return data

    @model_validator(mode="after")
    def _check_consistency(self) -> QuestionItem:
        if any(not a.strip() for a in (*self.answers, *self.answers_all, *self.evidence)):
            raise ValueError("answers, answers_all and evidence must not hold empty strings")
        if self.unanswerable:
            if self.answers or self.answers_all or self.evidence:
                raise ValueError("an unanswerable question has no answers and no evidence")
        elif not (self.answers or self.answers_all):
            raise ValueError("an answerable question needs answers or answers_all")
        elif not self.evidence and self.type in QUESTION_TYPES:
            raise ValueError("an answerable question of our types needs evidence")
        if self.type == "followup" and not self.history:
            raise ValueError("a followup question needs a history")
        if self.type == "multi" and len(self.evidence) < 2:
            raise ValueError("a multi question needs one evidence string per paragraph (>= 2)")
        return self


def parse_question_line(line: str, lineno: int) -> QuestionItem:
    """Parse one JSONL line; raises EvalError naming the line number."""
    try:
        return QuestionItem.model_validate(json.loads(line))
    except json.JSONDecodeError as exc:
        raise EvalError(f"line {lineno}: not valid JSON ({exc.msg})") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'item'}: {e['msg']}" for e in exc.errors()
        )
        raise EvalError(f"line {lineno}: {problems}") from exc


def load_questions(path: str | Path) -> list[QuestionItem]:
    """Load a JSONL question set; blank lines are skipped, ids must be unique."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EvalError(f"cannot read question set {path}: {exc}") from exc
    items: list[QuestionItem] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        item = parse_question_line(line, lineno)
        if item.id in seen:
            raise EvalError(
                f"line {lineno}: duplicate id {item.id!r} (first on line {seen[item.id]})"
            )
        seen[item.id] = lineno
        items.append(item)
    if not items:
        raise EvalError(f"question set {path} is empty")
    return items


def sample_evenly(items: list[QuestionItem], n: int | None) -> list[QuestionItem]:
    """`n` items spread evenly over the set, in order (the whole set when n is None or >= its
    length): a deterministic sample that sees every part of a set, unlike its first n lines."""
    if n is None or n >= len(items):
        return list(items)
    if n < 1:
        raise EvalError(f"--sample must be >= 1, got {n}")
    return [items[i * len(items) // n] for i in range(n)]
