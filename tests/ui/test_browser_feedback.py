"""A real headless Chromium: 👎 under an answer with a comment, then the staff tab, behind the key,
lists the unanswered question and the feedback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api.serving import make_settings, open_test_pipeline, running

from rag.server import create_app
from ui.test_browser import CHROMIUM, TIMEOUT_MS, ask, browser, open_page  # noqa: F401 - fixture

KEY = "ui-staff-key"
QUESTION = "火星上今天的天气怎么样？"
COMMENT = "文章里没有火星天气"
DISLIKE = "#chat button[aria-label='踩'], #chat button[aria-label='Dislike']"  # zh-CN, or English

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is absent: apt-get install -y chromium fonts-noto-cjk"),
]


@pytest.fixture(scope="module")
def keyed_ui_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole app with a staff key configured (the UI itself stays public)."""
    tmp = tmp_path_factory.mktemp("ui-staff")
    app = create_app(make_settings(tmp, rate_limit_per_minute=0, api_key=KEY), open_test_pipeline(tmp))
    with running(app) as url:
        yield url


def _staff(page: Any, key: str) -> None:
    page.get_by_role("tab", name="工作人员").click()
    box = page.locator("#staff-key input, #staff-key textarea").first
    box.fill(key)
    page.click("#staff-refresh")


def test_dislike_with_comment_then_staff_view(browser: Any, keyed_ui_url: str) -> None:  # noqa: F811
    with open_page(browser, keyed_ui_url) as page:
        bot = ask(page, QUESTION)
        assert bot.locator(".notfound").count() == 1
        page.locator(DISLIKE).last.click()
        page.wait_for_function("() => (document.querySelector('#feedback-note') || {}).innerText"
                               "?.includes('感谢反馈')", timeout=TIMEOUT_MS)
        page.locator("#feedback-text textarea, #feedback-text input").first.fill(COMMENT)
        page.click("#feedback-send")
        page.wait_for_function("() => document.querySelector('#feedback-note').innerText.includes('已收到')",
                               timeout=TIMEOUT_MS)

        _staff(page, "wrong-key")
        page.wait_for_function("() => document.querySelector('#staff-status').innerText.includes('密钥不正确')",
                               timeout=TIMEOUT_MS)
        assert QUESTION not in page.locator("#staff-groups").inner_text()
        assert not page.locator("#staff-groups-csv").is_visible()

        _staff(page, KEY)
        page.wait_for_function("q => document.querySelector('#staff-groups').innerText.includes(q)",
                               arg=QUESTION, timeout=TIMEOUT_MS)
        assert COMMENT in page.locator("#staff-groups").inner_text()
        assert COMMENT in page.locator("#staff-feedback").inner_text()
        page.wait_for_selector("#staff-groups-csv", state="visible", timeout=TIMEOUT_MS)

    feedback = httpx.get(f"{keyed_ui_url}/api/feedback", headers={"X-API-Key": KEY}).json()["feedback"]
    assert [(f["question"], f["rating"], f["comment"]) for f in feedback] == [(QUESTION, "down", COMMENT)]
    rows = httpx.get(f"{keyed_ui_url}/api/questions", headers={"X-API-Key": KEY}).json()["questions"]
    assert rows[0]["channel"] == "ui" and rows[0]["answered"] is False


def test_staff_view_shows_nothing_without_the_key(browser: Any, keyed_ui_url: str) -> None:  # noqa: F811
    with open_page(browser, keyed_ui_url) as page:
        ask(page, QUESTION)
        _staff(page, "")
        page.wait_for_function("() => document.querySelector('#staff-status').innerText.includes('密钥不正确')",
                               timeout=TIMEOUT_MS)
        assert QUESTION not in page.locator("#staff-groups").inner_text()
        assert QUESTION not in page.content().split('id="staff-groups"', 1)[-1]


def test_without_a_configured_key_this_machine_opens_the_staff_view(browser: Any,  # noqa: F811
                                                                     ui_url: str) -> None:
    with open_page(browser, ui_url) as page:
        ask(page, QUESTION)
        _staff(page, "")
        page.wait_for_function("q => document.querySelector('#staff-groups').innerText.includes(q)",
                               arg=QUESTION, timeout=TIMEOUT_MS)
        assert "未回答的问题共" in page.locator("#staff-status").inner_text()
