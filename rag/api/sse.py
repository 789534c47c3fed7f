"""Server-sent events: formatting, and running a synchronous pipeline stream off the event loop."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from rag.api.errors import error_body, rag_error_status
from rag.errors import RagError

log = logging.getLogger(__name__)
T = TypeVar("T")
_END = object()

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def sse_event(data: Any, event: str | None = None) -> str:
    """One SSE frame; `data` is JSON-encoded unless it is already a string."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n"


def _next(it: Iterator[T]) -> T | object:
    return next(it, _END)


async def first_item(it: Iterator[T]) -> tuple[T | object, Iterator[T]]:
    """Pull the first item in a worker thread, so errors raised before any output become HTTP errors."""
    first = await run_in_threadpool(_next, it)
    return first, it


async def drain(first: T | object, it: Iterator[T]) -> AsyncIterator[T]:
    """Yield `first` then the rest of `it`, each pulled in a worker thread (CPU-bound encoding).

    However the stream ends (done, failed, or the client gone: the response task is cancelled once
    the piece in flight is pulled), `it` is closed here, at once: a generation upstream stops
    (closing the chain's generator closes the LLM request, and llama.cpp stops on a closed
    connection) and its queue slot is freed, instead of running on to its token limit."""
    item = first
    try:
        while item is not _END:
            yield item  # type: ignore[misc]
            item = await run_in_threadpool(_next, it)
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # noqa: BLE001 - a stream that fails to close must not hide the cause
                log.warning("closing an answer stream failed", exc_info=True)


def error_frame(exc: BaseException, event: str | None = "error") -> str:
    """An error that happens after the stream started travels as a final SSE event."""
    if isinstance(exc, RagError):
        body = error_body(exc.code, exc.message)
        body["error"]["status"] = rag_error_status(exc)
    else:
        log.exception("stream failed", exc_info=exc)
        body = error_body("internal_error", "the answer stream failed; the error was logged")
    return sse_event(body, event)


def sse_response(frames: AsyncIterator[str]) -> StreamingResponse:
    """A text/event-stream response."""
    return StreamingResponse(frames, media_type="text/event-stream", headers=SSE_HEADERS)
