"""The staff articles tab's handlers without a browser: with the key, pasted and uploaded articles
are added to the served index and withdrawn again; without it, nothing changes and nothing leaks."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from api.serving import make_settings

from rag.api.articles import EditorSlot
from rag.pipeline import Pipeline
from rag.serving import PipelineHolder
from rag.ui.staff_articles import make_article_handlers

KEY = "s3cret"
FACT = "星沙图书馆新馆藏书量达到123456册。"


def _request(host: str = "203.0.113.9") -> Any:
    return SimpleNamespace(client=SimpleNamespace(host=host))


def _quiet(*_: Any, **__: Any) -> None:
    """Stands in for gr.Progress outside an event."""


@pytest.fixture
def served(tmp_path: Path) -> tuple[PipelineHolder, dict[str, Any]]:
    settings = make_settings(tmp_path, api_key=KEY)
    holder = PipelineHolder(settings, Pipeline.open(settings))
    return holder, make_article_handlers(holder.get, EditorSlot(holder, settings), settings.server)


def _ids(holder: PipelineHolder) -> set[str]:
    return {a.article_id for a in holder.get().articles()}


def _add(handlers: dict[str, Any], key: str, upload: Any = None, host: str = "203.0.113.9",
         title: str = "星沙图书馆新馆开放", text: str = FACT) -> tuple[Any, ...]:
    return handlers["add"](key, title, text, "2024-05-01", "星沙日报", "", upload, _request(host),
                           progress=_quiet)


def test_list_add_and_withdraw_with_the_key(served: Any) -> None:
    holder, handlers = served
    before = _ids(holder)
    status, rows, picker = handlers["list"](KEY, _request())
    assert {r[0] for r in rows["value"]} == before and f"共 {len(before)} 篇" in status["value"]
    assert all(isinstance(r[4], int) and r[4] > 0 for r in rows["value"])

    status, rows, picker = _add(handlers, KEY)
    added = _ids(holder) - before
    assert len(added) == 1 and "已添加 1 篇" in status["value"] and "段落 +1" in status["value"]
    (new_id,) = added
    row = next(r for r in rows["value"] if r[0] == new_id)
    assert row[1:] == ["星沙图书馆新馆开放", "2024-05-01", "星沙日报", 1]
    assert new_id in [value for _, value in picker["choices"]]
    hits = holder.get().search("星沙图书馆藏书量", k=3)
    assert hits and hits[0].paragraph.article_id == new_id

    status, rows, _ = handlers["withdraw"](KEY, new_id, _request(), progress=_quiet)
    assert "已撤下 1 篇" in status["value"] and _ids(holder) == before
    assert new_id not in {r[0] for r in rows["value"]}


def test_an_uploaded_file_is_added(served: Any, tmp_path: Path) -> None:
    holder, handlers = served
    before = _ids(holder)
    upload = tmp_path / "xingsha.txt"
    upload.write_text(f"星沙图书馆新馆开放\n\n{FACT}\n", encoding="utf-8")
    status, *_ = _add(handlers, KEY, str(upload), title="", text="")
    assert "已添加 1 篇" in status["value"] and len(_ids(holder) - before) == 1


def test_without_the_key_nothing_changes_or_shows(served: Any) -> None:
    holder, handlers = served
    before = _ids(holder)
    for key in ("", "wrong"):
        status, rows, picker = handlers["list"](key, _request("127.0.0.1"))
        assert "密钥不正确" in status["value"] and rows["value"] == [] and picker["choices"] == []
        status, rows, _ = _add(handlers, key, host="127.0.0.1")
        assert "密钥不正确" in status["value"] and rows["value"] == []
        first = sorted(before)[0]
        status, rows, _ = handlers["withdraw"](key, first, _request("127.0.0.1"), progress=_quiet)
        assert "密钥不正确" in status["value"] and rows["value"] == []
    assert _ids(holder) == before


def test_editor_errors_are_messages(served: Any) -> None:
    holder, handlers = served
    status, rows, _ = handlers["withdraw"](KEY, "no-such-article", _request(), progress=_quiet)
    assert "未能完成" in status["value"] and "Traceback" not in status["value"]
    assert len(rows["value"]) == len(_ids(holder))  # the list still shows
    status, *_ = _add(handlers, KEY, title="只有标题", text="")
    assert "未能完成" in status["value"] and "empty" in status["value"]
    status, *_ = _add(handlers, KEY, title="", text="")
    assert "请粘贴文章" in status["value"]


def test_no_key_configured_edits_need_open_loopback_editing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    holder = PipelineHolder(settings, Pipeline.open(settings))
    handlers = make_article_handlers(holder.get, EditorSlot(holder, settings), settings.server)
    before = _ids(holder)
    status, rows, _ = handlers["list"]("", _request("127.0.0.1"))
    assert len(rows["value"]) == len(before)  # this machine may look
    status, *_ = _add(handlers, "", host="127.0.0.1")
    assert "open_editing_loopback" in status["value"] and _ids(holder) == before
    status, *_ = handlers["list"]("", _request("198.51.100.7"))
    assert "只对本机开放" in status["value"]
