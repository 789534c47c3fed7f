"""The staff tab of the UI: frequent unanswered questions and recent feedback, behind the staff key
(checked here, on the server, at every click; without a configured key, this machine only)."""

from __future__ import annotations

import hmac
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from rag.config import ServerSettings
from rag.errors import RagError
from rag.feedback import QuestionLog
from rag.feedback.export import feedback_csv, groups_csv
from rag.ui.staff_articles import articles_tab

log = logging.getLogger(__name__)

LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
GROUP_HEADERS = ["次数", "问题（示例）", "首次", "最近", "踩", "意见"]  # no emoji: no emoji font offline
FEEDBACK_HEADERS = ["时间", "评价", "问题", "意见", "已回答"]
ROWS = 50
Outputs = tuple[Any, Any, Any, Any, Any]


def authorised(key: str, client: str | None, server: ServerSettings) -> bool:
    """The configured key was given, or, with none configured, the client is this machine."""
    if server.api_key is None:
        return (client or "") in LOOPBACK
    expected = server.api_key.get_secret_value().encode()
    return bool(key) and hmac.compare_digest((key or "").strip().encode(), expected)


def _client(request: gr.Request | None) -> str | None:
    client = getattr(request, "client", None)
    return getattr(client, "host", None)


def _write_csv(text: str, prefix: str) -> str:
    folder = Path(tempfile.mkdtemp(prefix="rag-staff-"))
    path = folder / f"{prefix}.csv"
    path.write_text("\ufeff" + text, encoding="utf-8")  # BOM: spreadsheets read the Chinese right
    return str(path)


def _refused(message: str) -> Outputs:
    hidden = gr.update(value=None, visible=False)
    return (gr.update(value=f'<div class="staff-msg">{message}</div>'), gr.update(value=[]),
            gr.update(value=[]), hidden, hidden)


def make_staff_loader(questions: QuestionLog | None,
                      server: ServerSettings) -> Callable[[str, gr.Request], Outputs]:
    """The refresh handler: the tables and the CSV files, or nothing without the key."""

    def load(key: str, request: gr.Request) -> Outputs:
        if not authorised(key, _client(request), server):
            return _refused("密钥不正确。" if server.api_key is not None else
                            "未配置工作人员密钥：此页面只对本机开放。")
        if questions is None or not questions.enabled:
            return _refused("问题记录未开启（question_log.enabled）。")
        try:
            groups = questions.groups(unanswered=True, limit=ROWS)
            feedback = questions.feedback(limit=ROWS)
        except RagError as exc:
            log.warning("staff view: %s", exc)
            return _refused("问题记录暂时无法读取，请查看服务器日志。")
        group_rows = [[g.count, g.example, g.first_seen, g.last_seen, g.down_votes, " | ".join(g.comments)]
                      for g in groups]
        feedback_rows = [[f.rated_at, "赞" if f.rating == "up" else "踩", f.question, f.comment or "",
                          "是" if f.answered else "否"] for f in feedback]
        status = (f'<div class="staff-msg">未回答的问题共 {questions.count(unanswered=True)} 次，'
                  f'收到评价 {len(feedback)} 条（最多显示 {ROWS} 条）。</div>')
        return (gr.update(value=status), gr.update(value=group_rows), gr.update(value=feedback_rows),
                gr.update(value=_write_csv(groups_csv(groups), "unanswered"), visible=True),
                gr.update(value=_write_csv(feedback_csv(feedback), "feedback"), visible=True))

    return load


def staff_tab(questions: QuestionLog | None, server: ServerSettings,
              get_pipeline: Callable[[], Any] | None = None, editors: Any = None) -> None:
    """The tab's contents (call inside `with gr.Tab(...)`); with `get_pipeline`, also the
    articles tab, editing through `editors` (the server's EditorSlot)."""
    with gr.Row():
        key = gr.Textbox(label="工作人员密钥", type="password", elem_id="staff-key", scale=4,
                         placeholder="server.api_key（未配置时仅本机可用，留空即可）")
        refresh = gr.Button("查看 / 刷新", variant="primary", elem_id="staff-refresh", scale=1)
    status = gr.HTML('<div class="staff-msg">输入密钥后点击“查看”。</div>', elem_id="staff-status",
                     js_on_load=None)
    with gr.Tabs():
        with gr.Tab("未回答与反馈", id="staff-insight", elem_id="tab-staff-insight"):
            gr.Markdown("**最常见的未回答问题**（相近的问法合并计数）")
            groups = gr.Dataframe(headers=GROUP_HEADERS, value=[], interactive=False,
                                  elem_id="staff-groups", wrap=True)
            gr.Markdown("**最近的评价**")
            feedback = gr.Dataframe(headers=FEEDBACK_HEADERS, value=[], interactive=False,
                                    elem_id="staff-feedback", wrap=True)
            with gr.Row():
                groups_file = gr.DownloadButton("下载未回答问题 CSV", visible=False,
                                                elem_id="staff-groups-csv", size="sm")
                feedback_file = gr.DownloadButton("下载评价 CSV", visible=False,
                                                  elem_id="staff-feedback-csv", size="sm")
        if get_pipeline is not None:
            with gr.Tab("文章管理", id="staff-articles-tab", elem_id="tab-staff-articles"):
                articles_tab(key, get_pipeline, editors, server)
    outputs = [status, groups, feedback, groups_file, feedback_file]
    load = make_staff_loader(questions, server)
    refresh.click(load, [key], outputs)
    key.submit(load, [key], outputs)
