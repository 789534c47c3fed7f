"""The citizens' chat UI (Gradio Blocks, in Chinese): streamed answers, sources panel, article browser."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from html import escape
from typing import Any

import gradio as gr

from rag import records
from rag.config import Settings
from rag.errors import InvalidQuestionError, NotReadyError, RagError
from rag.feedback import QuestionLog, new_answer_id
from rag.records import Answer
from rag.ui.examples import answerable_examples
from rag.ui.feedback import feedback_row, wire_feedback
from rag.ui.render import (
    Turn,
    answer_markdown,
    article_html,
    articles_intro,
    sources_html,
    turn_record,
)
from rag.ui.staff import staff_tab

log = logging.getLogger(__name__)

GetPipeline = Callable[[], Any]
Chat = list[dict[str, Any]]
Update = tuple[Any, Chat, list[Turn], str]

INTRO = ("<div id='intro'><h1>新闻问答</h1><p>用中文提问，系统只根据已收录的新闻文章作答，"
         "每句回答都标有出处 <b>[数字]</b>，点击即可查看原文。找不到答案时会直接告诉您。</p></div>")
THINKING = "<span class='thinking'>正在查找相关文章…</span>"


def _friendly(exc: Exception) -> str:
    if isinstance(exc, NotReadyError):
        return "系统正在准备中（加载文章和模型），请稍等片刻再试。"
    if isinstance(exc, InvalidQuestionError):
        return f"这个问题无法处理：{exc.message}"
    if isinstance(exc, RagError):
        return "抱歉，系统暂时无法回答，请稍后再试。"
    return "抱歉，出了点问题，请稍后再试。"


def _history(turns: list[Turn]) -> list[records.Turn]:
    out: list[records.Turn] = []
    for t in turns:
        out += [records.Turn(role="user", content=t["question"]),
                records.Turn(role="assistant", content=t["answer"])]
    return out


def make_respond(get_pipeline: GetPipeline, questions: QuestionLog | None = None,
                 ) -> Callable[[str, Chat, list[Turn]], Iterator[Update]]:
    """The chat handler: streams the answer into the last message, then links its citations;
    the answer is recorded in the question log (its id is what 👍/👎 refer to)."""

    def remember(answer: Answer, t0: float) -> str:
        ms = (time.perf_counter() - t0) * 1000
        return questions.remember(answer, "ui", ms) if questions is not None else new_answer_id()

    def respond(question: str, chat: Chat, turns: list[Turn]) -> Iterator[Update]:
        question = (question or "").strip()
        chat, turns = list(chat or []), list(turns or [])
        if not question:
            yield gr.skip(), chat, turns, sources_html(turns)
            return
        chat += [{"role": "user", "content": question}, {"role": "assistant", "content": THINKING}]
        yield "", chat, turns, sources_html(turns)
        text, final, t0 = "", None, time.perf_counter()
        try:
            for item in get_pipeline().stream(question, _history(turns)):
                if isinstance(item, Answer):
                    final = item
                elif item:
                    text += item
                    chat[-1] = {"role": "assistant", "content": escape(text, quote=False)}
                    yield "", chat, turns, sources_html(turns)
        except Exception as exc:  # noqa: BLE001 - a citizen sees a sentence, the log gets the rest
            if not isinstance(exc, RagError):
                log.exception("UI question failed")
            chat[-1] = {"role": "assistant", "content": _friendly(exc)}
            yield "", chat, turns, sources_html(turns)
            return
        if final is None:
            chat[-1] = {"role": "assistant", "content": _friendly(RuntimeError("no answer"))}
            yield "", chat, turns, sources_html(turns)
            return
        turns.append(turn_record(question, final, remember(final, t0), len(chat) - 1))
        chat[-1] = {"role": "assistant", "content": answer_markdown(final, len(turns) - 1)}
        yield "", chat, turns, sources_html(turns)

    return respond


def make_article_loaders(get_pipeline: GetPipeline) -> tuple[Callable[..., Any], Callable[..., str]]:
    """Handlers filling the article list (keeping the current choice) and showing one article."""

    def show_article(article_id: str | None) -> str:
        try:
            if not article_id:
                return articles_intro(len(get_pipeline().articles()))
            return article_html(get_pipeline().article(article_id))
        except RagError as exc:
            return f'<div class="src-empty">{_friendly(exc)}</div>'

    def list_articles(current: str | None = None) -> tuple[Any, str]:
        try:
            found = get_pipeline().articles()
        except RagError as exc:
            return gr.update(choices=[]), f'<div class="src-empty">{_friendly(exc)}</div>'
        choices = [(a.title, a.article_id) for a in found]
        return gr.update(choices=choices, value=current), show_article(current)

    return list_articles, show_article


def make_example_loader(get_pipeline: GetPipeline, defaults: tuple[str, ...]) -> Callable[[], list[Any]]:
    """On page load: example questions the loaded corpus can answer (the configured ones are
    written for the bundled page), falling back to the configured ones while it starts."""

    def load() -> list[Any]:
        try:
            found = answerable_examples(get_pipeline(), len(defaults))
        except RagError:
            found = []
        texts = found or list(defaults)
        return [gr.update(value=texts[i], visible=True) if i < len(texts) else gr.update(visible=False)
                for i in range(len(defaults))]

    return load


def _chat_column(examples: tuple[str, ...]) -> dict[str, Any]:
    """The conversation, the question box and the example questions."""
    chat = gr.Chatbot(label="对话", elem_id="chat", height=460, buttons=["copy"],
                      feedback_options=("Like", "Dislike"), layout="bubble", show_label=False,
                      placeholder="您好！请在下方输入问题，或点击示例问题。")
    feedback = feedback_row()  # right under the answers its 👍/👎 refer to
    with gr.Row(elem_id="ask-bar"):
        question = gr.Textbox(show_label=False, elem_id="question", scale=5, min_width=160,
                              placeholder="请输入您的问题…", max_length=500, autofocus=True)
        send = gr.Button("提问", variant="primary", elem_id="send", scale=1, min_width=70)
    gr.HTML("<div class='ex-label'>示例问题（点击即可提问）：</div>", js_on_load=None)
    with gr.Row(elem_id="examples"):
        buttons = [gr.Button(q, size="sm", elem_classes=["example"]) for q in examples]
    clear = gr.Button("开始新的对话", size="sm", elem_id="new-chat")
    return {"chat": chat, "question": question, "send": send, "examples": buttons, "clear": clear,
            "feedback": feedback}


def build_ui(settings: Settings, get_pipeline: GetPipeline,
             questions: QuestionLog | None = None, editors: Any = None) -> gr.Blocks:
    """The Blocks app; `get_pipeline` returns the open pipeline or raises NotReadyError;
    `questions` is the server's question log (None: answers are not recorded); `editors` is the
    server's EditorSlot, which the staff articles tab edits through (None: no editing)."""
    respond = make_respond(get_pipeline, questions)
    list_articles, show_article = make_article_loaders(get_pipeline)
    examples = settings.server.example_questions
    with gr.Blocks(title="新闻问答", analytics_enabled=False) as blocks:
        gr.HTML(INTRO, js_on_load=None)
        turns = gr.State([])
        with gr.Tabs():  # noqa: SIM117 - nesting mirrors the page layout
            with gr.Tab("提问", id="ask", elem_id="tab-ask"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=300):
                    ui = _chat_column(examples)
                with gr.Column(scale=2, min_width=280):
                    sources = gr.HTML(sources_html([]), elem_id="sources", js_on_load=None)
            with gr.Tab("浏览文章", id="browse", elem_id="tab-browse") as browse:
                picker = gr.Dropdown(label="选择文章", choices=[], elem_id="article-picker")
                reader = gr.HTML('<div class="src-empty">正在加载文章列表…</div>', elem_id="reader",
                                 js_on_load=None)
            with gr.Tab("工作人员", id="staff", elem_id="tab-staff"):
                staff_tab(questions, settings.server, get_pipeline, editors)  # shows nothing until the key is checked
        question, chat = ui["question"], ui["chat"]
        inputs, outputs = [question, chat, turns], [question, chat, turns, sources]
        ui["send"].click(respond, inputs, outputs)
        question.submit(respond, inputs, outputs)
        for button in ui["examples"]:
            button.click(lambda text: text, button, question, queue=False).then(respond, inputs, outputs)
        blocks.load(make_example_loader(get_pipeline, examples), None, ui["examples"])
        reset = (lambda: ("", [], [], sources_html([])), None, outputs)
        ui["clear"].click(*reset, queue=False)
        chat.clear(*reset, queue=False)
        wire_feedback(chat, turns, ui["feedback"], questions, ui["clear"])
        picker.change(show_article, picker, reader)
        blocks.load(list_articles, None, [picker, reader])
        browse.select(list_articles, picker, [picker, reader])  # the list may arrive after start-up
    return blocks
