"""The contract between the server and what it serves: the pipeline, its opener, the holder the
routes read it from and the question log they record answers in (implemented in rag.serving)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, Protocol

from rag.config import Settings
from rag.feedback.records import Channel
from rag.records import Answer, Article, Hit, Turn

State = Literal["idle", "starting", "ready", "failed"]
CORRUPT = "index_corrupt"  # a failed start with this code shows as status "corrupt" in /api/health


class PipelineLike(Protocol):
    """What the server needs from rag.pipeline.Pipeline (fakes in tests implement the same)."""

    def ask(self, question: str, history: Sequence[Turn] = (), top_k: int | None = None,
            mode: str | None = None, filters: Any = None) -> Answer: ...

    def stream(self, question: str, history: Sequence[Turn] = (), top_k: int | None = None,
               mode: str | None = None, filters: Any = None) -> Iterator[str | Answer]: ...

    def search(self, query: str, k: int = 5, mode: str | None = None,
               filters: Any = None) -> list[Hit]: ...

    def articles(self) -> list[Article]: ...

    def article(self, article_id: str) -> Article: ...

    def health(self) -> dict[str, Any]: ...


class Startup(Protocol):
    """What an opener may tell the server while it works."""

    def publish(self, pipeline: PipelineLike) -> None:
        """Serve this (partial) pipeline until the opener returns the final one."""

    def swap(self, pipeline: PipelineLike) -> None:
        """Serve `pipeline` from the next request on (after an article edit); requests already
        running finish on the one they started with."""
        with self._lock:
            self._pipeline = pipeline

    def report(self, progress: dict[str, Any]) -> None:
        """Progress shown by /api/status."""


Opener = Callable[[Settings, Startup], PipelineLike]


class QuestionRecorder(Protocol):
    """What the routes need from the question log (rag.feedback.QuestionLog)."""

    def remember(self, answer: Answer, channel: Channel, latency_ms: float) -> str:
        """Record an answer; its answer_id, for feedback."""
        ...


class PipelineSource(Protocol):
    """What the routes need from the server's pipeline holder (rag.serving.PipelineHolder)."""

    @property
    def questions(self) -> QuestionRecorder:
        """The question log every route records answers in."""
        ...

    @property
    def state(self) -> State:
        """idle, starting, ready or failed."""
        ...

    def get(self) -> PipelineLike:
        """The open pipeline; NotReadyError (503) while starting or after a failed start."""
        ...

    def status(self) -> dict[str, Any]:
        """Progress for /api/status and /api/health."""
        ...

    def swap(self, pipeline: PipelineLike) -> None:
        """Serve `pipeline` from the next request on."""
        ...
