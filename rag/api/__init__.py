"""The JSON API for staff (`/api/*`) and the OpenAI-compatible endpoints (`/v1/*`)."""

from __future__ import annotations

from rag.api.errors import install_error_handlers
from rag.api.guard import ApiGuard
from rag.api.openai_compat import build_openai_router
from rag.api.routes import build_api_router

__all__ = [
    "ApiGuard",
    "build_api_router",
    "build_openai_router",
    "install_error_handlers",
]
