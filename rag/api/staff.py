"""Staff routes over the question log: the most frequent (unanswered) questions, feedback, CSV."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from rag.api.errors import ApiError
from rag.api.routes import ERRORS, FORBIDDEN, _one_error, require_loopback
from rag.api.schemas import FeedbackRequest
from rag.config import ServerSettings
from rag.feedback import FeedbackEntry, QuestionEntry, QuestionGroup, QuestionLog
from rag.feedback.export import feedback_csv, groups_csv, questions_csv

MAX_OFFSET = 1_000_000_000  # SQLite integers are 64-bit: a larger offset would overflow
CSV_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"  # so that spreadsheet programs read the Chinese as UTF-8
JSON_OR_CSV: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/json": {}, "text/csv": {}},
          "description": "JSON, or CSV with format=csv"}}
UNKNOWN_ANSWER = _one_error(404, "No answer with this id (or the question log is off)", "not_found")


class QuestionsResponse(BaseModel):
    """The question log for staff: grouped (most frequent first) and a plain page, newest first."""

    enabled: bool = Field(description="Whether the server records questions now.")
    total: int = Field(description="Logged questions matching the filter.")
    limit: int
    offset: int
    groups: list[QuestionGroup] = Field(description="Most frequent questions, near-duplicates together.")
    questions: list[QuestionEntry] = Field(description="The page limit/offset, newest first.")


class FeedbackList(BaseModel):
    """Rated answers, newest first."""

    feedback: list[FeedbackEntry]


def csv_response(text: str, name: str) -> Response:
    """A CSV download."""
    return Response(BOM + text, media_type=CSV_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def build_staff_router(questions: QuestionLog, server: ServerSettings) -> APIRouter:
    """/api/questions, /api/questions.csv, /api/feedback (GET for staff, POST for anyone with API access)."""
    router = APIRouter(prefix="/api", tags=["staff"], responses=ERRORS)  # type: ignore[arg-type]
    _add_question_routes(router, questions, server)
    _add_feedback_routes(router, questions, server)
    _add_wrong_methods(router)
    return router


def _add_question_routes(router: APIRouter, questions: QuestionLog, server: ServerSettings) -> None:
    """GET /api/questions (JSON or CSV) and /api/questions.csv."""

    def page(unanswered: bool, down_voted: bool, limit: int, offset: int) -> QuestionsResponse:
        return QuestionsResponse(
            enabled=questions.enabled, total=questions.count(unanswered=unanswered, down_voted=down_voted),
            limit=limit, offset=offset,
            groups=questions.groups(unanswered=unanswered, down_voted=down_voted, limit=limit),
            questions=questions.questions(unanswered=unanswered, down_voted=down_voted,
                                          limit=limit, offset=offset))

    def table(unanswered: bool, down_voted: bool, view: str, limit: int, offset: int) -> str:
        if view == "groups":
            return groups_csv(questions.groups(unanswered=unanswered, down_voted=down_voted, limit=limit))
        return questions_csv(questions.questions(unanswered=unanswered, down_voted=down_voted,
                                                 limit=limit, offset=offset))

    @router.get("/questions", response_model=QuestionsResponse, responses={**FORBIDDEN, **JSON_OR_CSV},
                summary="Questions asked: most frequent (near-duplicates grouped) and newest "
                "(key, or loopback without one)")
    async def list_questions(
        request: Request,
        unanswered: bool = Query(False, description="Only questions the system refused to answer."),
        down_voted: bool = Query(False, description="Only down-voted answers (with unanswered: either)."),
        limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_OFFSET),
        format: Literal["json", "csv"] = Query("json", description="csv: as /api/questions.csv."),
        view: Literal["groups", "list"] = Query("groups", description="For csv: groups or one row per question."),
    ) -> QuestionsResponse | Response:
        require_loopback(request, server)
        if format == "csv":
            text = await run_in_threadpool(table, unanswered, down_voted, view, limit, offset)
            return csv_response(text, f"questions-{view}.csv")
        return await run_in_threadpool(page, unanswered, down_voted, limit, offset)

    @router.get("/questions.csv", response_class=Response,
                responses={**FORBIDDEN, 200: {"content": {"text/csv": {}}, "description": "CSV"}},
                summary="The question log as CSV (view=groups: most frequent; view=list: every question)")
    async def questions_as_csv(
        request: Request, unanswered: bool = False, down_voted: bool = False,
        view: Literal["groups", "list"] = "groups",
        limit: int = Query(1000, ge=1, le=100_000), offset: int = Query(0, ge=0, le=MAX_OFFSET),
    ) -> Response:
        require_loopback(request, server)
        text = await run_in_threadpool(table, unanswered, down_voted, view, limit, offset)
        return csv_response(text, f"questions-{view}.csv")


def _add_feedback_routes(router: APIRouter, questions: QuestionLog, server: ServerSettings) -> None:
    """GET /api/feedback (staff) and POST /api/feedback (rate an answer)."""

    @router.get("/feedback", response_model=FeedbackList, responses={**FORBIDDEN, **JSON_OR_CSV},
                summary="Rated answers with their questions, newest first (key, or loopback without one)")
    async def list_feedback(
        request: Request, rating: Literal["up", "down"] | None = None,
        limit: int = Query(50, ge=1, le=100_000), offset: int = Query(0, ge=0, le=MAX_OFFSET),
        format: Literal["json", "csv"] = "json",
    ) -> FeedbackList | Response:
        require_loopback(request, server)
        found = await run_in_threadpool(
            lambda: questions.feedback(rating=rating, limit=limit, offset=offset))
        if format == "csv":
            return csv_response(feedback_csv(found), "feedback.csv")
        return FeedbackList(feedback=found)

    @router.post("/feedback", response_model=FeedbackEntry, responses=UNKNOWN_ANSWER,
                 summary="Rate an answer (up or down, with an optional comment) by its answer_id")
    async def post_feedback(req: FeedbackRequest) -> FeedbackEntry:
        return await run_in_threadpool(questions.rate, req.answer_id, req.rating, req.comment)


def _add_wrong_methods(router: APIRouter) -> None:
    """405 for the staff paths asked with a method they do not serve."""
    allowed = {"/questions": "GET", "/questions.csv": "GET", "/feedback": "GET, POST"}
    for path, methods in allowed.items():
        other = sorted({"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} - set(methods.split(", ")))
        router.add_api_route(path, _wrong_method(methods), methods=other, include_in_schema=False)


def _wrong_method(allow: str) -> Callable[[Request], Awaitable[None]]:
    """405 for a staff path asked with another method (/api's catch-all knows only its own routes)."""

    async def wrong_method(request: Request) -> None:
        raise ApiError(405, "method_not_allowed",
                       f"{request.method} is not allowed on {request.url.path}; use {allow}",
                       {"Allow": allow})

    return wrong_method
