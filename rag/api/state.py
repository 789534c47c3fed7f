"""Holds the pipeline while it opens in the background, so the server can answer at once."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, Protocol

from rag.config import Settings
from rag.errors import IndexCorruptError, NotReadyError, RagError
from rag.feedback import QuestionLog
from rag.records import Answer, Article, Hit, Turn

log = logging.getLogger(__name__)

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


def open_real_pipeline(settings: Settings, startup: Startup) -> PipelineLike:
    """Open rag.pipeline.Pipeline (imported here so the server module stays light); on a corpus
    without an index, a keyword-only pipeline serves while the dense side is built."""
    from rag.pipeline import Pipeline

    return Pipeline.open_progressively(settings, startup.publish, startup.report)


class PipelineHolder:
    """The one pipeline of a server process: given ready-made, or opened on a background thread;
    and the server's question log (`questions`), which every route and the UI record answers in."""

    def __init__(self, settings: Settings, pipeline: PipelineLike | None = None,
                 opener: Opener | None = None, questions: QuestionLog | None = None) -> None:
        self._settings = settings
        self.questions = questions or QuestionLog(settings.question_log, settings.index_dir)
        self._opener = opener or open_real_pipeline
        self._pipeline = pipeline
        self._state: State = "ready" if pipeline is not None else "idle"
        self._error: dict[str, str] | None = None
        self._lock = threading.Lock()
        self._created = time.monotonic()
        self._ready_after_s: float | None = 0.0 if pipeline is not None else None
        self._progress: dict[str, Any] = {}
        self._partial_after_s: float | None = None

    def start(self) -> None:
        """Open the pipeline on a daemon thread unless it is already open or opening."""
        with self._lock:
            if self._state != "idle":
                return
            self._state = "starting"
        threading.Thread(target=self._open, name="pipeline-open", daemon=True).start()

    def publish(self, pipeline: PipelineLike) -> None:
        """Serve a partial pipeline (keyword-only) while the opener goes on."""
        with self._lock:
            self._pipeline = pipeline
            self._partial_after_s = round(time.monotonic() - self._created, 2)
        log.info("serving a partial pipeline while the index is built")

    def swap(self, pipeline: PipelineLike) -> None:
        """Serve `pipeline` from the next request on (after an article edit); requests already
        running finish on the one they started with."""
        with self._lock:
            self._pipeline = pipeline

    def report(self, progress: dict[str, Any]) -> None:
        """Record the opener's progress for /api/status."""
        with self._lock:
            self._progress = dict(progress)

    def _open(self) -> None:
        t0 = time.monotonic()
        try:
            pipeline = self._opener(self._settings, self)
        except RagError as exc:
            log.error("pipeline failed to open: %s", exc)
            self._fail(exc.code, str(exc))
        except Exception as exc:  # noqa: BLE001 - reported through /api/status, never raised to a client
            log.exception("pipeline failed to open")
            self._fail("startup_failed", f"{type(exc).__name__}: {exc}")
        else:
            with self._lock:
                self._pipeline, self._state = pipeline, "ready"
                self._ready_after_s = round(time.monotonic() - t0, 2)
            log.info("pipeline ready after %.1f s", time.monotonic() - t0)

    def _fail(self, code: str, message: str) -> None:
        with self._lock:
            self._state, self._error = "failed", {"code": code, "message": message}

    @property
    def state(self) -> State:
        """idle, starting, ready or failed."""
        return self._state

    def get(self) -> PipelineLike:
        """The open pipeline; NotReadyError (503) while starting or after a failed start."""
        pipeline = self._pipeline
        if pipeline is not None:
            return pipeline
        if self._state == "failed" and self._error and self._error["code"] == CORRUPT:
            raise IndexCorruptError(self._error["message"])  # 503 index_corrupt, not not_ready
        if self._state == "failed" and self._error:
            raise NotReadyError(
                f"the pipeline failed to start: {self._error['message']}",
                hint="see /api/status and the server log",
            )
        raise NotReadyError("the index and model are still loading; try again in a few seconds")

    def status(self) -> dict[str, Any]:
        """Progress for /api/status (its status, ready and uptime_s fields also for /api/health)."""
        partial = self._state == "starting" and self._pipeline is not None
        failed = "corrupt" if self._error and self._error["code"] == CORRUPT else "error"
        out: dict[str, Any] = {
            "status": "ok" if partial else {"ready": "ok", "failed": failed}.get(self._state, "starting"),
            "ready": self._state == "ready" or partial,
            "uptime_s": round(time.monotonic() - self._created, 1),
        }
        if self._state in ("starting", "failed") and self._progress:
            out["progress"] = dict(self._progress)
        if self._partial_after_s is not None:
            out["partial_after_s"] = self._partial_after_s
        if self._ready_after_s is not None:
            out["ready_after_s"] = self._ready_after_s
        if self._error:
            out["error"] = dict(self._error)
        return out
