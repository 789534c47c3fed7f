"""👍/👎 under every answer and the optional comment box, writing to the server's question log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import gradio as gr

from rag.errors import RagError
from rag.feedback import QuestionLog
from rag.ui.render import Turn, feedback_note

log = logging.getLogger(__name__)

Pending = dict[str, str]  # the answer last rated: {"answer_id", "rating"}


def _turn_at(turns: list[Turn], index: Any) -> Turn | None:
    at = index[0] if isinstance(index, (list, tuple)) else index
    return next((t for t in turns if t.get("chat_index") == at and t.get("answer_id")), None)


def _store(questions: QuestionLog | None, answer_id: str, rating: str, comment: str | None) -> bool:
    if questions is None:
        return False
    try:
        questions.rate(answer_id, rating, comment)  # type: ignore[arg-type]
        return True
    except RagError as exc:  # the log is off or unreadable: thank the citizen all the same
        log.warning("UI feedback on %s not stored: %s", answer_id, exc)
        return False


def make_like(questions: QuestionLog | None) -> Callable[..., tuple[Any, Any, Pending]]:
    """The Chatbot's like handler: rates the clicked answer; a 👎 opens the comment box."""

    def on_like(turns: list[Turn], data: gr.LikeData) -> tuple[Any, Any, Pending]:
        turn = _turn_at(turns or [], data.index)
        if turn is None or data.liked not in (True, False):  # a placeholder, an error, an undo
            return gr.update(value=""), gr.update(visible=False), {}
        rating = "up" if data.liked is True else "down"
        stored = _store(questions, turn["answer_id"], rating, None)
        pending = {"answer_id": turn["answer_id"], "rating": rating}
        return (gr.update(value=feedback_note(rating, stored)),
                gr.update(visible=stored and rating == "down"), pending)

    return on_like


def make_comment(questions: QuestionLog | None) -> Callable[[str, Pending], tuple[Any, Any, str]]:
    """The comment box's handler: adds the comment to the answer last rated."""

    def on_comment(comment: str, pending: Pending) -> tuple[Any, Any, str]:
        comment = (comment or "").strip()[:2000]
        if not pending or not comment:
            return gr.skip(), gr.skip(), comment
        stored = _store(questions, pending["answer_id"], pending["rating"], comment)
        note = '<div class="fb-note">已收到您的补充说明，谢谢！</div>' if stored else feedback_note(
            pending["rating"], False)
        return gr.update(value=note), gr.update(visible=False), ""

    return on_comment


def feedback_row() -> dict[str, Any]:
    """The note and the (hidden until 👎) comment box under the chat."""
    note = gr.HTML("", elem_id="feedback-note", js_on_load=None)
    with gr.Row(visible=False, elem_id="feedback-comment") as row:
        box = gr.Textbox(show_label=False, scale=5, max_length=2000, elem_id="feedback-text",
                         placeholder="正确答案或问题所在（可选）")
        send = gr.Button("提交", size="sm", scale=1, min_width=70, elem_id="feedback-send")
    return {"note": note, "row": row, "box": box, "send": send, "pending": gr.State({})}


def wire_feedback(chat: Any, turns: Any, parts: dict[str, Any], questions: QuestionLog | None,
                  new_chat: Any = None) -> None:
    """Connect the chat's 👍/👎 and the comment box to the log (a new conversation hides them)."""
    chat.like(make_like(questions), [turns], [parts["note"], parts["row"], parts["pending"]])
    hide = (lambda: (gr.update(value=""), gr.update(visible=False), {}), None,
            [parts["note"], parts["row"], parts["pending"]])
    for event in (chat.clear, *([new_chat.click] if new_chat is not None else [])):
        event(*hide, queue=False)
    on_comment = make_comment(questions)
    outputs = [parts["note"], parts["row"], parts["box"]]
    parts["send"].click(on_comment, [parts["box"], parts["pending"]], outputs)
    parts["box"].submit(on_comment, [parts["box"], parts["pending"]], outputs)
