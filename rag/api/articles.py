"""POST/PUT/DELETE /api/articles: staff edits of the corpus, applied to the served index at once."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from rag.api.errors import ApiError
from rag.api.schemas import ArticleChange, ArticleIn
from rag.api.state import PipelineSource
from rag.config import ServerSettings, Settings
from rag.errors import CorpusReadOnlyError, NotReadyError

LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
EDIT_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {"application/json": {"example": {
        "error": {"code": name, "message": "…"}}}}}
    for status, text, name in [
        (403, "No API key is configured (and open loopback editing is off)", "forbidden"),
        (404, "No article with this id", "not_found"),
        (409, "An article with this id already exists, or the corpus cannot be edited",
         "duplicate_article"),
        (413, "Article or file too large", "article_too_large"),
        (415, "A file format the ingestion does not read", "unsupported_format"),
        (422, "Empty text or title, a bad id, an unreadable file", "invalid_article")]}
UPLOAD_BODY = {"requestBody": {"content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/ArticleIn"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {
        "type": "array", "items": {"type": "string", "format": "binary"}}}}}}}}


def require_editor(request: Request, server: ServerSettings) -> None:
    """403 unless a key is configured (the guard has checked it), or open loopback editing is
    on and the client is this machine."""
    if server.api_key is not None:
        return
    host = request.client.host if request.client else ""
    if server.open_editing_loopback and host in LOOPBACK:
        return
    raise ApiError(403, "forbidden", "article edits need the staff API key, and none is configured "
                   "(set server.api_key, or server.open_editing_loopback for clients on this machine)")


class EditorSlot:
    """The one ArticleEditor of a server, made on the first edit over the served pipeline."""

    def __init__(self, holder: PipelineSource, settings: Settings) -> None:
        self._holder, self._settings = holder, settings
        self._editor: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        """The editor; NotReadyError (503) while the index is opening or built in the background."""
        pipeline = self._holder.get()
        index = getattr(pipeline, "index", None)
        if index is None or not hasattr(pipeline, "with_index"):
            raise CorpusReadOnlyError("this server's pipeline has no index that can be edited")
        if self._holder.state != "ready" or not getattr(index, "dense_ready", False):
            raise NotReadyError("articles can be edited once the index is open; try again later")
        with self._lock:
            if self._editor is None:
                from rag.editing import ArticleEditor

                holder = self._holder

                def publish(new_index: Any) -> None:
                    holder.swap(holder.get().with_index(new_index))  # type: ignore[attr-defined]

                self._editor = ArticleEditor(self._settings, pipeline.embedder,  # type: ignore[attr-defined]
                                             lambda: holder.get().index, publish)  # type: ignore[attr-defined]
            return self._editor


def _draft(body: ArticleIn) -> Any:
    from rag.editing import ArticleDraft

    return ArticleDraft(title=body.title, text=body.text, published=body.published, url=body.url,
                        source=body.source, article_id=body.id)


async def _json_body(request: Request) -> ArticleIn:
    raw = await request.body()
    try:
        return ArticleIn.model_validate_json(raw or b"null")
    except ValidationError as exc:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            raise ApiError(400, "malformed_json", "the request body is not valid JSON") from None
        parts = [f"{'.'.join(str(p) for p in e.get('loc', ())) or 'body'}: {e.get('msg')}"
                 for e in errors[:5]]
        raise ApiError(422, "invalid_request", "; ".join(parts)) from None


async def _uploads(request: Request) -> list[tuple[str, bytes]]:
    try:
        form = await request.form(max_files=100, max_fields=100)
    except Exception as exc:  # noqa: BLE001 - a broken multipart body is the client's fault
        raise ApiError(400, "bad_request", f"the multipart body cannot be read: {exc}") from None
    files: list[tuple[str, bytes]] = []
    for name, value in form.multi_items():
        if not hasattr(value, "read"):
            raise ApiError(422, "invalid_request", f"the multipart field {name!r} is not a file")
        files.append((value.filename or "upload", await value.read()))
    if not files:
        raise ApiError(422, "invalid_request", "the multipart body holds no file (send it as 'file')")
    return files


def add_article_routes(router: APIRouter, holder: PipelineSource, settings: Settings,
                       slot: EditorSlot | None = None) -> None:
    """POST /articles, PUT and DELETE /articles/{id} on the /api router, editing through `slot`
    (the server's one EditorSlot, shared with the UI; default: a new one)."""
    server = settings.server
    slot = slot or EditorSlot(holder, settings)

    @router.post("/articles", response_model=ArticleChange, status_code=201, responses=EDIT_ERRORS,
                 summary="Add an article (JSON) or the articles of an uploaded file (multipart)",
                 openapi_extra=UPLOAD_BODY)
    async def add_article(request: Request) -> ArticleChange:
        require_editor(request, server)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "multipart/form-data":
            files = await _uploads(request)
            report = await run_in_threadpool(slot.get().add_files, files)
        elif kind in ("application/json", ""):
            body = await _json_body(request)
            report = await run_in_threadpool(slot.get().add, [_draft(body)])
        else:
            raise ApiError(415, "unsupported_media_type", f"send application/json or "
                           f"multipart/form-data, not {kind!r}")
        return _change(report)

    @router.put("/articles/{article_id}", response_model=ArticleChange, responses=EDIT_ERRORS,
                summary="Replace an article's title, text and metadata")
    async def update_article(article_id: str, request: Request) -> ArticleChange:
        require_editor(request, server)
        body = await _json_body(request)
        editor = slot.get()
        return _change(await run_in_threadpool(editor.update, article_id, _draft(body)))

    @router.delete("/articles/{article_id}", response_model=ArticleChange, responses=EDIT_ERRORS,
                   summary="Withdraw an article")
    async def delete_article(article_id: str, request: Request) -> ArticleChange:
        require_editor(request, server)
        editor = slot.get()
        return _change(await run_in_threadpool(editor.remove, [article_id]))


def _change(report: Any) -> ArticleChange:
    from rag.editing import report_json

    return ArticleChange(**report_json(report))
