"""The one check of a question (or search query) from outside: not empty, not over the limit."""

from __future__ import annotations

from rag.errors import InvalidQuestionError, QuestionTooLongError


def check_question(text: object, limit: int = 0, what: str = "question") -> str:
    """`text` stripped; InvalidQuestionError when it is not a string or blank, QuestionTooLongError
    when it is longer than `limit` characters (0: no limit). Called where a question comes in:
    the API's request bodies, the answer chain's entry (CLI, UI, eval) and retrieval's."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidQuestionError(f"the {what} is empty")
    if limit and len(text) > limit:
        raise QuestionTooLongError(f"the {what} has {len(text)} characters; the limit is {limit}")
    return text.strip()
