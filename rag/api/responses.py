"""The one JSON response class: UTF-8 without \\u escapes, and a charset in the Content-Type."""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import PydanticSerializationError, to_json
from starlette.responses import JSONResponse

JSON_MEDIA_TYPE = "application/json; charset=utf-8"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _scrub(value: Any) -> Any:
    """`value` with every lone surrogate (in strings and keys) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


class Utf8JSONResponse(JSONResponse):
    """JSON as UTF-8 (Chinese stays readable in curl and logs), compact, NaN as null."""

    media_type = JSON_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        """Serialized by pydantic-core, as FastAPI's own fast path does; inputs are cleaned at the
        boundary, so a lone surrogate can only arrive through a bug, and then it becomes U+FFFD
        rather than a failed response."""
        try:
            return to_json(content, inf_nan_mode="null")
        except PydanticSerializationError:
            return to_json(_scrub(content), inf_nan_mode="null")
