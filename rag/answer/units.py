"""Whether a quantity's unit fits what a number question asks for, and the clause a position sits
in: pure helpers of the reader's number facts."""

from __future__ import annotations

from collections.abc import Sequence

from rag.answer import facts as F
from rag.answer.question import Question


def unit_ok(q: Question, qty: F.Fact) -> bool:
    """Whether the quantity's unit is of the kind the question asks for (a count, money, a person …)."""
    if q.unit_class is None:
        return q.unit is None or qty.unit == q.unit or qty.unit_class not in ("money", "percent", "duration")
    if q.unit_class == "count":
        return qty.unit_class in ("count", "times", "case", "household", "person") or qty.unit == q.unit
    if q.unit_class == "person":
        return qty.unit_class == "person" or (qty.unit_class == "" and not qty.unit)
    return qty.unit_class == q.unit_class or (q.unit is not None and qty.unit == q.unit)


def clause_at(clauses: Sequence[str], pos: int) -> str:
    """The clause holding position pos."""
    start = 0
    for c in clauses:
        if start <= pos < start + len(c):
            return c
        start += len(c)
    return clauses[-1] if clauses else ""
