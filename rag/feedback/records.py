"""Records of the question log: what is stored for each answer, each rating, each group."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from rag.records import Answer, Record

Rating = Literal["up", "down"]
Channel = Literal["api", "api-stream", "v1", "v1-stream", "ui"]


class LoggedAnswer(Record):
    """What is written for one answered (or refused) question: no address, no client data."""

    answer_id: str
    question: str
    standalone_question: str = ""
    channel: Channel
    mode: str
    answered: bool
    cited: tuple[str, ...] = Field((), description="Paragraph ids the answer cites.")
    latency_ms: float

    @classmethod
    def of(cls, answer_id: str, answer: Answer, channel: Channel, latency_ms: float) -> LoggedAnswer:
        """From the pipeline's answer."""
        standalone = answer.standalone_question if answer.standalone_question != answer.question else ""
        return cls(answer_id=answer_id, question=answer.question, standalone_question=standalone,
                   channel=channel, mode=answer.mode, answered=not answer.abstained,
                   cited=tuple(c.paragraph_id for c in answer.citations),
                   latency_ms=round(latency_ms, 1))


class QuestionEntry(Record):
    """One row of the log as staff see it, with the answer's latest feedback."""

    answer_id: str
    asked_at: str = Field(description="UTC, ISO 8601.")
    question: str
    standalone_question: str = ""
    channel: str
    mode: str
    answered: bool
    cited: tuple[str, ...] = ()
    latency_ms: float
    rating: Rating | None = None
    comment: str | None = None


class FeedbackEntry(Record):
    """A rating of one answer (the latest one given), with the question it answered."""

    answer_id: str
    rated_at: str = Field(description="UTC, ISO 8601.")
    rating: Rating
    comment: str | None = None
    question: str
    answered: bool
    asked_at: str


class QuestionGroup(Record):
    """Near-duplicate questions counted together (width, case and punctuation ignored)."""

    key: str = Field(description="The normalised text of the group's example.")
    example: str = Field(description="The most frequent wording, as asked.")
    count: int
    first_seen: str
    last_seen: str
    down_votes: int = 0
    up_votes: int = 0
    wordings: tuple[str, ...] = Field((), description="Up to five distinct wordings, most frequent first.")
    comments: tuple[str, ...] = Field((), description="Staff or citizen comments on its answers.")
    answer_ids: tuple[str, ...] = Field((), description="Up to five answer ids, newest first.")
