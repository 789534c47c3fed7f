"""Pure functions writing the log for staff: CSV tables, and an eval question set (eval/README.md)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from rag.feedback.group import normalise_question
from rag.feedback.records import FeedbackEntry, QuestionEntry, QuestionGroup

FEEDBACK_TYPE = "feedback"
"""The `type` of an exported question that has a staff answer: a label of our own, so the eval
loader asks for no evidence (the comment is the expected answer, not a quote of the article)."""


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def groups_csv(groups: Sequence[QuestionGroup]) -> str:
    """One row per group of near-duplicate questions."""
    return _csv(["count", "example", "first_seen", "last_seen", "down_votes", "up_votes",
                 "wordings", "comments"],
                [[g.count, g.example, g.first_seen, g.last_seen, g.down_votes, g.up_votes,
                  " | ".join(g.wordings), " | ".join(g.comments)] for g in groups])


def questions_csv(rows: Sequence[QuestionEntry]) -> str:
    """One row per logged question."""
    return _csv(["asked_at", "question", "answered", "mode", "channel", "cited", "latency_ms",
                 "rating", "comment", "answer_id"],
                [[r.asked_at, r.question, int(r.answered), r.mode, r.channel, " ".join(r.cited),
                  r.latency_ms, r.rating or "", r.comment or "", r.answer_id] for r in rows])


def feedback_csv(rows: Sequence[FeedbackEntry]) -> str:
    """One row per rated answer."""
    return _csv(["rated_at", "rating", "comment", "question", "answered", "asked_at", "answer_id"],
                [[r.rated_at, r.rating, r.comment or "", r.question, int(r.answered), r.asked_at,
                  r.answer_id] for r in rows])


def eval_items(rows: Sequence[QuestionEntry]) -> list[dict[str, Any]]:
    """Down-voted and refused questions as eval lines, one per normalised question (its newest
    row with a comment, else its newest). A comment becomes the expected answer (type
    'feedback'); without one the question is expected to be refused ('unanswerable'), so a wrong
    answer the staff down-voted is caught, and a refusal is kept until staff give an answer."""
    chosen: dict[str, QuestionEntry] = {}
    for row in rows:  # newest first
        key = normalise_question(row.question)
        if key and (key not in chosen or (row.comment and not chosen[key].comment)):
            chosen[key] = row
    items = []
    for n, row in enumerate(sorted(chosen.values(), key=lambda r: r.asked_at), start=1):
        item: dict[str, Any] = {"id": f"fb{n:04d}", "question": row.question}
        if row.comment:
            item.update(answers=[row.comment], type=FEEDBACK_TYPE)
        else:
            item["type"] = "unanswerable"
        item.update(origin="down-voted" if row.rating == "down" else "unanswered",
                    answer_id=row.answer_id, asked_at=row.asked_at)
        items.append(item)
    return items


def eval_jsonl(rows: Sequence[QuestionEntry]) -> str:
    """The eval set as JSON lines (Chinese kept readable)."""
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in eval_items(rows))
