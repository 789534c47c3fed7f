"""The staff's question log and answer feedback: what citizens asked, what went unanswered, 👍/👎."""

from __future__ import annotations

from rag.feedback.group import group_questions, normalise_question
from rag.feedback.records import FeedbackEntry, LoggedAnswer, QuestionEntry, QuestionGroup, Rating
from rag.feedback.store import QuestionLog, new_answer_id

__all__ = [
    "FeedbackEntry",
    "LoggedAnswer",
    "QuestionEntry",
    "QuestionGroup",
    "QuestionLog",
    "Rating",
    "group_questions",
    "new_answer_id",
    "normalise_question",
]
