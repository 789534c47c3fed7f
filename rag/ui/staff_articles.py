"""The staff tab's "文章管理": paste or upload articles, list them, withdraw one, behind the staff
key (checked here, on the server, at every click), through the server's one ArticleEditor."""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from rag.config import ServerSettings
from rag.errors import RagError

log = logging.getLogger(__name__)

ARTICLE_HEADERS = ["id", "标题", "发布日期", "来源", "段落"]
ACTIONS = {"added": "已添加", "updated": "已修改", "removed": "已撤下"}
Outputs = tuple[Any, Any, Any]
GetPipeline = Callable[[], Any]


def _msg(text: str) -> Any:
    return gr.update(value=f'<div class="staff-msg">{escape(text, quote=False)}</div>')


def report_line(report: Any) -> str:
    """The EditReport, for staff: what changed in the index and how long it took."""
    d = report.delta
    return (f"{ACTIONS.get(report.action, report.action)} {len(report.article_ids)} 篇"
            f"（{'、'.join(report.article_ids)}）：段落 +{len(d.added)} −{len(d.removed)} "
            f"~{len(d.changed)}，重新嵌入 {d.embedded} 个片段，移除 {d.chunks_removed} 个；"
            f"用时 {report.seconds.get('total', 0.0):.2f} 秒。索引已更新，现在提问即可查到。")


def make_article_handlers(get_pipeline: GetPipeline, editors: Any, server: ServerSettings,
                          ) -> dict[str, Callable[..., Outputs]]:
    """The handlers of the tab: list, add (pasted and/or uploaded) and withdraw; each returns
    (status, table, id dropdown). `editors` is the server's EditorSlot (None: no editing)."""

    def table(status: str) -> Outputs:
        return _table(get_pipeline, status)

    def list_articles(key: str, request: gr.Request) -> Outputs:
        message = _refusal(key, request, False, server, editors)
        return _refused(message) if message else table("")

    def add(key: str, title: str, text: str, published: str, source: str, url: str,
            upload: Any, request: gr.Request, progress: Any = gr.Progress()) -> Outputs:  # noqa: B008
        message = _refusal(key, request, True, server, editors)
        if message:
            return _refused(message)
        change = _addition(title, text, published, source, url, upload)
        if isinstance(change, str):
            return table(change)
        return _edit(table, editors, change, progress)

    def withdraw(key: str, article_id: str | None, request: gr.Request,
                 progress: Any = gr.Progress()) -> Outputs:  # noqa: B008
        message = _refusal(key, request, True, server, editors)
        if message:
            return _refused(message)
        article_id = (article_id or "").strip()
        if not article_id:
            return table("请选择或输入要撤下的文章 id。")
        return _edit(table, editors, lambda editor: editor.remove([article_id]), progress)

    return {"list": list_articles, "add": add, "withdraw": withdraw}


def _refusal(key: str, request: Any, edit: bool, server: ServerSettings, editors: Any) -> str | None:
    """Why this click is refused (wrong key, editing closed, no editor), or None."""
    from rag.ui.staff import _client, authorised

    if not authorised(key, _client(request), server):
        return ("密钥不正确。" if server.api_key is not None else
                "未配置工作人员密钥：此页面只对本机开放。")
    if edit and server.api_key is None and not server.open_editing_loopback:
        return ("未配置工作人员密钥：修改文章需设置 server.api_key，"
                "或开启 server.open_editing_loopback。")
    if edit and editors is None:
        return "此服务器不能修改文章。"
    return None


def _table(get_pipeline: GetPipeline, status: str) -> Outputs:
    """`status` with the article count, the table of articles and the withdraw dropdown."""
    try:
        found = get_pipeline().articles()
    except RagError as exc:
        return _msg(f"{status} 文章列表暂时无法读取：{exc.message}"), gr.update(value=[]), gr.update()
    rows = [[a.article_id, a.title, a.published or "", a.source or "", len(a.paragraphs)]
            for a in found]
    choices = [(f"{a.article_id} · {a.title}", a.article_id) for a in found]
    return (_msg(f"{status} 共 {len(rows)} 篇文章。".strip()), gr.update(value=rows),
            gr.update(choices=choices, value=None))


def _refused(message: str) -> Outputs:
    return _msg(message), gr.update(value=[]), gr.update(choices=[], value=None)


def _edit(table: Callable[[str], Outputs], editors: Any, run: Callable[[Any], Any],
          progress: Any) -> Outputs:
    """Run one edit on the server's editor; the table afterwards, with what changed or why not."""
    progress(0.1, desc="正在写入文章并更新索引…")
    try:
        report = run(editors.get())
    except RagError as exc:
        return table(f"未能完成：{exc.message}")
    except Exception:  # noqa: BLE001 - staff see a sentence, the log gets the traceback
        log.exception("staff article edit failed")
        return table("未能完成：服务器出错，请查看服务器日志。")
    progress(1.0, desc="索引已更新")
    return table(report_line(report))


def _addition(title: str, text: str, published: str, source: str, url: str,
              upload: Any) -> Callable[[Any], Any] | str:
    """The edit that adds the pasted article or the uploaded files, or what to ask staff for."""
    from rag.editing import ArticleDraft

    paths = [upload] if isinstance(upload, (str, Path)) else list(upload or [])
    files = [(Path(p).name, Path(p).read_bytes()) for p in paths]
    pasted = bool((title or "").strip() or (text or "").strip())
    if not files and not pasted:
        return "请粘贴文章（标题和正文）或上传文件。"
    if files and pasted:
        return "请一次只添加一种：粘贴的文章，或上传的文件。"
    if files:
        return lambda editor: editor.add_files(files)
    draft = ArticleDraft(title=title or "", text=text or "", published=(published or "").strip() or None,
                         source=(source or "").strip() or None, url=(url or "").strip() or None)
    return lambda editor: editor.add([draft])


def articles_tab(key: Any, get_pipeline: GetPipeline, editors: Any, server: ServerSettings) -> None:
    """The tab's contents (call inside `with gr.Tab(...)`); `key` is the staff key textbox."""
    from rag.editing import READABLE

    status = gr.HTML('<div class="staff-msg">输入密钥后点击“刷新列表”。</div>',
                     elem_id="staff-articles-status", js_on_load=None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            title = gr.Textbox(label="标题", elem_id="staff-article-title", max_lines=1)
            text = gr.Textbox(label="正文（段落之间空一行）", lines=8, elem_id="staff-article-text")
            with gr.Row():
                published = gr.Textbox(label="发布日期（可选）", placeholder="2024-05-01",
                                       elem_id="staff-article-published", max_lines=1)
                source = gr.Textbox(label="来源（可选）", elem_id="staff-article-source", max_lines=1)
                url = gr.Textbox(label="网址（可选）", elem_id="staff-article-url", max_lines=1)
        with gr.Column(scale=2):
            upload = gr.File(label="或上传文件", file_types=list(READABLE), type="filepath",
                             elem_id="staff-article-file")
            add = gr.Button("添加", variant="primary", elem_id="staff-article-add")
    with gr.Row():
        picker = gr.Dropdown(label="要撤下的文章", choices=[], allow_custom_value=True,
                             elem_id="staff-article-pick", scale=4)
        withdraw = gr.Button("撤下", variant="stop", elem_id="staff-article-withdraw", scale=1)
        refresh = gr.Button("刷新列表", elem_id="staff-articles-refresh", scale=1)
    rows = gr.Dataframe(headers=ARTICLE_HEADERS, value=[], interactive=False,
                        elem_id="staff-articles", wrap=True)
    handlers = make_article_handlers(get_pipeline, editors, server)
    outputs = [status, rows, picker]
    refresh.click(handlers["list"], [key], outputs)
    add.click(handlers["add"], [key, title, text, published, source, url, upload], outputs)
    withdraw.click(handlers["withdraw"], [key, picker], outputs)
