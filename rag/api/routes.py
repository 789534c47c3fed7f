"""The staff JSON API under /api: ask, stream, search, articles, status; and the public health probe."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import aclosing
from typing import Any

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from rag import __version__
from rag.api.articles import LOOPBACK, EditorSlot, add_article_routes
from rag.api.errors import ApiError
from rag.api.schemas import (
    ArticleDetail,
    ArticleList,
    ArticleSummary,
    AskRequest,
    AskResponse,
    Filters,
    Probe,
    SearchHit,
    SearchRequest,
    SearchResponse,
    Status,
)
from rag.api.sse import drain, error_frame, first_item, sse_event, sse_response
from rag.api.state import PipelineSource, QuestionRecorder
from rag.config import ServerSettings, Settings
from rag.errors import RagError
from rag.records import Answer, Turn

ERRORS = {code: {"description": text, "content": {"application/json": {"example": {
    "error": {"code": name, "message": "…"}}}}}
    for code, text, name in [
        (400, "Malformed JSON", "malformed_json"), (401, "Missing or wrong API key", "missing_api_key"),
        (408, "The body did not arrive in time", "request_timeout"),
        (413, "Body, question or history too long", "payload_too_large"),
        (422, "Invalid fields or empty question", "invalid_request"),
        (429, "Rate limited (see Retry-After)", "rate_limited"),
        (503, "Index or model not ready", "not_ready")]}




def _one_error(status: int, text: str, name: str) -> dict[int | str, dict[str, Any]]:
    return {status: {"description": text, "content": {"application/json": {"example": {
        "error": {"code": name, "message": "…"}}}}}}


FORBIDDEN = _one_error(403, "No API key is configured and the client is not this machine", "forbidden")
NOT_FOUND = _one_error(404, "No article with this id", "not_found")


def require_loopback(request: Request, server: ServerSettings) -> None:
    """403 unless a key is configured (the guard has checked it) or the client is this machine."""
    host = request.client.host if request.client else ""
    if server.api_key is None and host not in LOOPBACK:
        raise ApiError(403, "forbidden", f"{request.url.path} is served to this machine only while "
                       "no API key is configured (set server.api_key)")


def check_history(history: Sequence[Turn], limit: int) -> None:
    """413 `history_too_long` when the earlier turns hold more than `limit` characters (0: no limit)."""
    size = sum(len(turn.content) for turn in history)
    if limit and size > limit:
        raise ApiError(413, "history_too_long",
                       f"the conversation history is {size} characters long; the limit is {limit} "
                       "(send fewer or shorter earlier turns)")


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


def ask_frames(first: object, rest: Iterator[str | Answer], t0: float,
               questions: QuestionRecorder) -> AsyncIterator[str]:
    """SSE frames: `delta` events with text pieces, then one `answer` event (or an `error` event)."""

    async def frames() -> AsyncIterator[str]:
        try:
            async with aclosing(drain(first, rest)) as items:
                async for item in items:
                    if isinstance(item, Answer):
                        ms = _ms(t0)
                        answer_id = await run_in_threadpool(questions.remember, item, "api-stream", ms)
                        yield sse_event(AskResponse.of(item, {"server_total": ms}, answer_id).model_dump(),
                                        "answer")
                    elif item:
                        yield sse_event({"text": item}, "delta")
        except Exception as exc:  # noqa: BLE001 - the status line is already sent
            yield error_frame(exc)

    return frames()


def _filters(req: Filters) -> dict[str, Any]:
    """`filters=` for the pipeline when the request sets any (else nothing, for older pipelines)."""
    found = req.metadata_filter()
    return {"filters": found} if found is not None else {}


def raise_unknown(request: Request, router: APIRouter) -> None:
    """404 for an unknown path, 405 for a known path of `router` asked with the wrong method."""
    path = request.url.path
    allowed = sorted({m for route in router.routes
                      if isinstance(route, APIRoute) and route.endpoint.__name__ != "unknown"
                      and route.path_regex.match(path) for m in route.methods})
    if allowed:
        raise ApiError(405, "method_not_allowed",
                       f"{request.method} is not allowed on {path}; use {', '.join(allowed)}",
                       {"Allow": ", ".join(allowed)})
    raise ApiError(404, "not_found", f"no endpoint {request.method} {path}")


def build_api_router(holder: PipelineSource, server: ServerSettings,
                     settings: Settings | None = None, editors: EditorSlot | None = None) -> APIRouter:
    """The /api routes, reading the pipeline from `holder` at each request; with `settings`, also
    the article edits (POST/PUT/DELETE /api/articles)."""
    router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)  # type: ignore[arg-type]
    _add_ask_routes(router, holder, server)
    _add_read_routes(router, holder)
    _add_status_routes(router, holder, server)
    if settings is not None:
        add_article_routes(router, holder, settings, editors)
    _add_catch_all(router)
    return router


def _add_ask_routes(router: APIRouter, holder: PipelineSource, server: ServerSettings) -> None:
    """POST /api/ask and /api/ask/stream."""

    @router.post("/ask", response_model=AskResponse, summary="Answer a question with citations")
    async def ask(req: AskRequest) -> AskResponse:
        history = req.turns()
        check_history(history, server.max_history_chars)
        pipeline, t0 = holder.get(), time.perf_counter()
        answer = await run_in_threadpool(pipeline.ask, req.question, history, req.top_k, req.mode,
                                         **_filters(req))
        ms = _ms(t0)
        answer_id = await run_in_threadpool(holder.questions.remember, answer, "api", ms)
        return AskResponse.of(answer, {"server_total": ms}, answer_id)

    @router.post("/ask/stream", summary="Answer as server-sent events",
                 response_class=StreamingResponse,
                 responses={200: {"content": {"text/event-stream": {}},
                                  "description": "`delta` events {text}, then one `answer` event "
                                  "(the /api/ask body), or an `error` event."}})
    async def ask_stream(req: AskRequest) -> StreamingResponse:
        history = req.turns()
        check_history(history, server.max_history_chars)
        pipeline, t0 = holder.get(), time.perf_counter()
        it = iter(await run_in_threadpool(pipeline.stream, req.question, history, req.top_k,
                                          req.mode, **_filters(req)))
        first, rest = await first_item(it)  # errors before any output keep their HTTP status
        return sse_response(ask_frames(first, rest, t0, holder.questions))


def _add_read_routes(router: APIRouter, holder: PipelineSource) -> None:
    """POST /api/search, GET /api/articles and /api/articles/{id}."""

    @router.post("/search", response_model=SearchResponse, summary="Ranked paragraphs for a query")
    async def search(req: SearchRequest) -> SearchResponse:
        pipeline, t0 = holder.get(), time.perf_counter()
        hits = await run_in_threadpool(pipeline.search, req.query, req.k, req.mode, **_filters(req))
        return SearchResponse(query=req.query, hits=[SearchHit.of(i + 1, h) for i, h in enumerate(hits)],
                              timings_ms={"total": _ms(t0)})

    @router.get("/articles", response_model=ArticleList, summary="Every article (without text)")
    async def articles() -> ArticleList:
        found = await run_in_threadpool(holder.get().articles)
        return ArticleList(articles=[ArticleSummary.of(a) for a in found])

    @router.get("/articles/{article_id}", response_model=ArticleDetail, responses=NOT_FOUND,
                summary="One article with its paragraphs and their ids")
    async def article(article_id: str) -> ArticleDetail:
        found = await run_in_threadpool(holder.get().article, article_id)
        return ArticleDetail.full(found)


def _add_status_routes(router: APIRouter, holder: PipelineSource, server: ServerSettings) -> None:
    """GET /api/health (public) and /api/status (key, or loopback)."""

    @router.get("/health", response_model=Probe,
                summary="Liveness and readiness (public: no key, no rate limit)")
    async def health() -> Probe:
        status = holder.status()
        return Probe(status=status["status"], ready=status["ready"], uptime_s=status["uptime_s"])

    @router.get("/status", response_model=Status, responses=FORBIDDEN,
                summary="Index, model, corpus and start-up status (key, or loopback without one)")
    async def status(request: Request) -> Status:
        require_loopback(request, server)
        found = holder.status()
        if found["ready"]:
            try:
                found["pipeline"] = await run_in_threadpool(holder.get().health)
            except RagError as exc:
                found.update(status="error", error={"code": exc.code, "message": exc.message})
        return Status(**found, version=__version__)


def _add_catch_all(router: APIRouter) -> None:
    """Every other /api path: 404, or 405 for a known path with the wrong method (added last)."""

    @router.api_route("", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                      include_in_schema=False)
    @router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                      include_in_schema=False)
    async def unknown(request: Request, rest: str = "") -> None:
        # Without this, unknown /api paths would fall through to the UI mounted at "/".
        raise_unknown(request, router)
