"""OpenAI-compatible /v1/chat/completions and /v1/models, with citations kept in the response."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from rag.api.errors import ApiError
from rag.api.routes import ERRORS, check_history, raise_unknown
from rag.api.schemas import CitationOut, CleanText
from rag.api.sse import drain, error_frame, first_item, sse_event, sse_response
from rag.api.state import PipelineSource, QuestionRecorder
from rag.config import ServerSettings
from rag.records import Answer, Citation, Turn

MODELS = {"rag-news": None, "rag-news-extractive": "extractive", "rag-news-llm": "llm",
          "rag-news-local": "local", "rag-news-auto": "auto"}
SOURCES_HEADING = "\n\n---\n**来源 Sources**\n"


class ContentPart(BaseModel):
    """A part of a multi-part message; only text parts are read."""

    model_config = ConfigDict(extra="allow")
    type: str
    text: CleanText | None = None


class ChatMessage(BaseModel):
    """An OpenAI chat message."""

    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: CleanText | list[ContentPart] | None = None

    def text(self) -> str:
        """The message's text, parts joined."""
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """The subset of the OpenAI request that matters here; other fields are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: CleanText = Field("rag-news", description="rag-news, rag-news-extractive or rag-news-llm.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False


def sources_footer(answer: Answer) -> str:
    """A Markdown footer listing the citations (or the related paragraphs when abstained)."""
    cites: tuple[Citation, ...] = answer.citations or answer.related
    if not cites:
        return ""
    head = SOURCES_HEADING if answer.citations else SOURCES_HEADING.replace("来源", "可能相关 · 来源")
    lines = [f"[{c.n}] {c.article_title} — “{c.quote or c.text}” (`{c.paragraph_id}`)" for c in cites]
    return head + "\n".join(lines)


def strip_footer(text: str) -> str:
    """An earlier assistant turn without its sources footer, for use as history."""
    return text.split(SOURCES_HEADING, 1)[0].split(SOURCES_HEADING.replace("来源", "可能相关 · 来源"), 1)[0]


def split_messages(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The question (the last user message) and the earlier user/assistant turns."""
    if messages[-1].role != "user" or not messages[-1].text().strip():
        raise ApiError(422, "invalid_request", "the last message must be a non-empty user message")
    history = [Turn(role=m.role, content=strip_footer(m.text()) if m.role == "assistant" else m.text())
               for m in messages[:-1] if m.role in ("user", "assistant") and m.text().strip()]
    return messages[-1].text().strip(), history


def _mode(model: str) -> str | None:
    return MODELS.get(model)


def _citations(answer: Answer) -> dict[str, Any]:
    return {"citations": [CitationOut.of(c).model_dump() for c in answer.citations],
            "related": [CitationOut.of(c).model_dump() for c in answer.related],
            "abstained": answer.abstained}


def completion(answer: Answer, model: str, question: str, answer_id: str = "") -> dict[str, Any]:
    """A chat.completion object; `usage` counts characters (about one token each in Chinese);
    `answer_id` (an extra field) is what POST /api/feedback refers to."""
    content = answer.answer + sources_footer(answer)
    return {
        "answer_id": answer_id,
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion",
        "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": len(question), "completion_tokens": len(content),
                  "total_tokens": len(question) + len(content)},
        **_citations(answer),
    }


def chunk_frames(first: object, rest: Iterator[str | Answer], model: str,
                 questions: QuestionRecorder, t0: float) -> AsyncIterator[str]:
    """OpenAI chat.completion.chunk frames ending with `data: [DONE]`; citations and the
    answer_id in the last chunk."""
    base = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion.chunk",
            "created": int(time.time()), "model": model}

    def chunk(delta: dict[str, str], finish: str | None = None, **extra: Any) -> str:
        return sse_event({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                          **extra})

    async def frames() -> AsyncIterator[str]:
        yield chunk({"role": "assistant", "content": ""})
        try:
            async with aclosing(drain(first, rest)) as items:
                async for item in items:
                    if isinstance(item, Answer):
                        footer = sources_footer(item)
                        if footer:
                            yield chunk({"content": footer})
                        ms = round((time.perf_counter() - t0) * 1000, 1)
                        answer_id = await run_in_threadpool(questions.remember, item, "v1-stream", ms)
                        yield chunk({}, "stop", answer_id=answer_id, **_citations(item))
                    elif item:
                        yield chunk({"content": item})
        except Exception as exc:  # noqa: BLE001 - the status line is already sent
            yield error_frame(exc, event=None)
        yield "data: [DONE]\n\n"

    return frames()


def _available_modes(holder: PipelineSource) -> dict[str, bool]:
    """Which answer modes can answer now (the on-box LLM loaded, an endpoint configured)."""
    try:
        health = holder.get().health()
    except Exception:  # noqa: BLE001 - still starting: only what needs no pipeline is listed as such
        return {"default": False, "extractive": False, "llm": False, "local": False, "auto": False}
    local = (health.get("local_llm") or {}).get("state") == "ready"
    return {"default": True, "extractive": True, "auto": True, "local": local,
            "llm": bool(health.get("llm_configured"))}


def build_openai_router(holder: PipelineSource, server: ServerSettings) -> APIRouter:
    """The /v1 routes."""
    router = APIRouter(prefix="/v1", tags=["openai"], responses=ERRORS)  # type: ignore[arg-type]

    @router.post("/chat/completions", summary="OpenAI-compatible chat (stream=true for SSE chunks)")
    async def chat(req: ChatRequest) -> Any:
        question, history = split_messages(req.messages)
        check_history(history, server.max_history_chars)
        pipeline, mode, t0 = holder.get(), _mode(req.model), time.perf_counter()
        if not req.stream:
            answer = await run_in_threadpool(pipeline.ask, question, history, None, mode)
            ms = round((time.perf_counter() - t0) * 1000, 1)
            answer_id = await run_in_threadpool(holder.questions.remember, answer, "v1", ms)
            return completion(answer, req.model, question, answer_id)
        it = iter(await run_in_threadpool(pipeline.stream, question, history, None, mode))
        first, rest = await first_item(it)
        return sse_response(chunk_frames(first, rest, req.model, holder.questions, t0))

    @router.get("/models", summary="The model ids this server answers to")
    async def models() -> dict[str, Any]:
        created = int(time.time())
        available = _available_modes(holder)
        return {"object": "list", "data": [
            {"id": name, "object": "model", "created": created, "owned_by": "rag-news",
             "available": available.get(mode or "default", True)} for name, mode in MODELS.items()]}

    @router.api_route("", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    @router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                      include_in_schema=False)
    async def unknown(request: Request, rest: str = "") -> StreamingResponse:
        raise_unknown(request, router)
        raise AssertionError("unreachable")

    return router
