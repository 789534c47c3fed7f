"""Client strings are cleaned at the boundary: control characters and lone surrogates never get in."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from rag.api.openai_compat import ChatRequest, split_messages
from rag.api.schemas import AskRequest, ChatTurn, SearchRequest, clean_text
from rag.records import Turn


@pytest.mark.parametrize(("raw", "clean"), [
    ("天元区\x00教育局", "天元区教育局"),
    ("a\tb\nc", "a\tb\nc"),  # tab and newline are text
    ("a\rb\x0bc\x0cd\x1be\x7ff", "abcdef"),
    ("x\x80y\x85z\x9f", "xyz"),  # C1 controls
    ("\ud800问\udfff", "问"),  # lone surrogates
    ("😀 emoji", "😀 emoji"),  # a real astral character stays
    ("", ""),
])
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_question_and_query_are_cleaned_before_the_empty_check() -> None:
    # FastAPI decodes bodies with json.loads, which lets "\ud800" through as a lone surrogate.
    ask = AskRequest.model_validate(json.loads('{"question": "天元区\\u0000局长\\u0007"}'))
    assert ask.question == "天元区局长"
    for bad in ('{"question": "\\ud800"}', '{"question": "\\u0000 \\u001f\\n"}'):
        with pytest.raises(ValidationError, match="must not be empty"):
            AskRequest.model_validate(json.loads(bad))
    with pytest.raises(ValidationError, match="must not be empty"):
        SearchRequest.model_validate({"query": "\udc00\x00"})
    assert SearchRequest.model_validate({"query": "家长\x1b学校"}).query == "家长学校"


def test_history_turns_are_cleaned() -> None:
    turn = ChatTurn.model_validate({"role": "user", "content": "问\ud800题\x00"})
    assert turn.content == "问题"


def test_openai_messages_and_model_are_cleaned() -> None:
    req = ChatRequest.model_validate({"model": "rag-news\x00", "messages": [
        {"role": "assistant", "content": [{"type": "text", "text": "答\ud800"}]},
        {"role": "user", "content": "问\x00题\udfff"}]})
    assert req.model == "rag-news"
    question, history = split_messages(req.messages)
    assert question == "问题" and history == [Turn(role="assistant", content="答")]
