"""JSON leaves as UTF-8 without \\u escapes, with a charset, and never fails on what it carries."""

from __future__ import annotations

import json

from rag.api.responses import Utf8JSONResponse


def test_utf8_without_escapes_and_with_charset() -> None:
    r = Utf8JSONResponse({"answer": "龙超俊", "n": 1})
    assert r.body == '{"answer":"龙超俊","n":1}'.encode()
    assert r.headers["content-type"] == "application/json; charset=utf-8"


def test_lone_surrogate_and_nan_do_not_break_a_response() -> None:
    r = Utf8JSONResponse({"q\ud800": ["x\udfff", float("nan")]})
    assert json.loads(r.body) == {"q\ufffd": ["x\ufffd", None]}
