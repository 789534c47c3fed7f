"""Every error leaves the API as JSON {"error": {"code", "message"}}; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.api.responses import Utf8JSONResponse
from rag.errors import RagError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    503: "unavailable",
}


class ApiError(Exception):
    """An HTTP-level refusal (auth, rate limit, body size) raised inside the API layer."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_body(code: str, message: str) -> dict[str, Any]:
    """The one error envelope."""
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None) -> Utf8JSONResponse:
    """A JSON error response."""
    return Utf8JSONResponse(error_body(code, message), status_code=status, headers=headers)


def rag_error_status(exc: RagError) -> int:
    """A domain error's HTTP status; server-side faults become 503, never 500."""
    status = int(getattr(exc, "http_status", 503) or 503)
    return 503 if status >= 500 else status


def rag_error_response(exc: RagError) -> Utf8JSONResponse:
    """Map a rag.errors.RagError by its http_status and code attributes."""
    message = exc.message + (f" ({exc.hint})" if exc.hint else "")
    retry = getattr(exc, "retry_after_s", None)
    headers = {"Retry-After": str(int(retry))} if retry else None
    return error_response(rag_error_status(exc), exc.code, message, headers)


def _describe(errors: list[Any]) -> str:
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{loc or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is invalid"


async def _on_validation(_: Request, exc: RequestValidationError) -> Utf8JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "malformed_json", "the request body is not valid JSON")
    return error_response(422, "invalid_request", _describe(errors))


async def _on_http(_: Request, exc: StarletteHTTPException) -> Utf8JSONResponse:
    status = exc.status_code if exc.status_code < 500 else 503
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    return error_response(status, _HTTP_CODES.get(status, "http_error"), detail,
                          headers=getattr(exc, "headers", None))


async def _on_api(_: Request, exc: ApiError) -> Utf8JSONResponse:
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _on_rag(_: Request, exc: RagError) -> Utf8JSONResponse:
    return rag_error_response(exc)


async def _on_unexpected(request: Request, exc: Exception) -> Utf8JSONResponse:
    # A bug, not the client's fault; 503 keeps clients retrying and the body free of internals.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(503, "internal_error",
                          "the server could not handle this request; the error was logged")


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on the application."""
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, _on_api)  # type: ignore[arg-type]
    app.add_exception_handler(RagError, _on_rag)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_unexpected)
