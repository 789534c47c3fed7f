"""Composition of the server: the JSON API under /api and /v1, the Gradio UI at "/", one uvicorn."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from rag import __version__
from rag.api import (
    ApiGuard,
    build_api_router,
    build_openai_router,
    install_error_handlers,
)
from rag.api.articles import EditorSlot
from rag.api.responses import Utf8JSONResponse
from rag.api.staff import build_staff_router
from rag.api.state import Opener, PipelineLike
from rag.config import Settings
from rag.feedback import QuestionLog
from rag.serving import PipelineHolder

log = logging.getLogger(__name__)
OPENAPI_URL = "/api/openapi.json"

DESCRIPTION = (
    "Grounded, cited question answering over Chinese news articles. Answers carry [n] markers "
    "that resolve to `citations` (article, paragraph id, supporting sentence). Errors are "
    '`{"error": {"code", "message"}}`. `/v1/chat/completions` speaks the OpenAI protocol and '
    "keeps the citations (top-level `citations` plus a Markdown sources footer)."
)


def create_app(settings: Settings, pipeline: PipelineLike | None = None, *,
               opener: Opener | None = None, ui: bool = True,
               questions: QuestionLog | None = None) -> FastAPI:
    """The FastAPI app. Without a pipeline, it opens one in the background when the server starts;
    without a question log, it keeps one under settings.index_dir (settings.question_log)."""
    holder = PipelineHolder(settings, pipeline, opener, questions)
    editors = EditorSlot(holder, settings)  # the one ArticleEditor, for the API and the staff UI

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        holder.start()
        if holder.questions.enabled:
            await run_in_threadpool(holder.questions.prune)  # retention, before the first question
        yield
        holder.questions.close()

    app = FastAPI(title="rag-news", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan,
                  default_response_class=Utf8JSONResponse)
    app.state.holder = holder
    install_error_handlers(app)

    @app.get(OPENAPI_URL, include_in_schema=False)
    async def openapi() -> Utf8JSONResponse:
        # Served here rather than by FastAPI so it too carries the charset.
        return Utf8JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        # A local page: Swagger UI would load its scripts from a CDN.
        return HTMLResponse(files("rag").joinpath("ui_assets", "api_docs.html").read_text("utf-8"))

    app.include_router(build_staff_router(holder.questions, settings.server))  # before /api's catch-all
    app.include_router(build_api_router(holder, settings.server, settings, editors))
    app.include_router(build_openai_router(holder, settings.server))
    app.add_middleware(ApiGuard, settings=settings.server)
    if ui:
        from rag.ui import mount_ui

        mount_ui(app, settings, holder.get, holder.questions, editors)  # after the API routes, so "/" does not shadow /api
    return app


def serve(settings: Settings) -> None:
    """Run the one server process (blocking) on settings.server.host:port."""
    import uvicorn

    app = create_app(settings)
    log.info("serving on http://%s:%d", settings.server.host, settings.server.port)
    uvicorn.run(app, host=settings.server.host, port=settings.server.port, log_level="info",
                proxy_headers=False, server_header=False)
