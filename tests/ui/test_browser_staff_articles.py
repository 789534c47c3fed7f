"""A real headless Chromium: staff add an article in the 文章管理 tab, a citizen's question is
answered from it at once, 👎 on that answer, and the staff view lists the rated question."""

from __future__ import annotations

import os
from typing import Any

from ui.test_browser import TIMEOUT_MS, ask, browser, open_page  # noqa: F401 - fixture
from ui.test_browser_feedback import DISLIKE, KEY, keyed_ui_url, pytestmark  # noqa: F401

TITLE = "星沙图书馆新馆开放"
FACT = "星沙图书馆新馆藏书量达到123456册。"
QUESTION = "星沙图书馆新馆藏书量达到多少册？"


def _fill(page: Any, elem_id: str, text: str) -> None:
    page.locator(f"#{elem_id} textarea, #{elem_id} input").first.fill(text)


def _contains(page: Any, elem_id: str, text: str) -> None:
    page.wait_for_function("([id, t]) => (document.getElementById(id) || {}).innerText?.includes(t)",
                           arg=[elem_id, text], timeout=TIMEOUT_MS)


def test_add_article_ask_dislike_then_staff_view(browser: Any, keyed_ui_url: str) -> None:  # noqa: F811
    with open_page(browser, keyed_ui_url) as page:
        page.get_by_role("tab", name="工作人员").click()
        _fill(page, "staff-key", KEY)
        page.get_by_role("tab", name="文章管理").click()
        _fill(page, "staff-article-title", TITLE)
        _fill(page, "staff-article-text", f"{FACT}\n\n新馆位于星沙镇中心，每天开放十二个小时。")
        _fill(page, "staff-article-source", "星沙日报")
        page.click("#staff-article-add")
        _contains(page, "staff-articles-status", "已添加 1 篇")
        _contains(page, "staff-articles", TITLE)

        page.get_by_role("tab", name="提问", exact=True).click()
        bot = ask(page, QUESTION)
        assert "123456" in bot.inner_text() and bot.locator("a.cite").count() >= 1
        assert TITLE in page.locator("#sources").inner_text()
        page.locator(DISLIKE).last.click()
        _contains(page, "feedback-note", "感谢反馈")

        page.get_by_role("tab", name="工作人员").click()
        page.get_by_role("tab", name="未回答与反馈").click()
        page.click("#staff-refresh")
        _contains(page, "staff-feedback", QUESTION)
        assert "踩" in page.locator("#staff-feedback").inner_text()
        shot = os.environ.get("RAG_STAFF_SCREENSHOT")
        if shot:  # `RAG_STAFF_SCREENSHOT=docs/staff.png pytest -m browser` refreshes the README picture
            page.screenshot(path=shot, full_page=True)
