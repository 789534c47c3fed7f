"""The LLM answerer against a real loopback OpenAI-compatible server (non-streaming and streaming)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from rag.answer.chain import build_chain
from rag.answer.llm import LLMAnswerer
from rag.config import Settings
from rag.errors import LLMError
from rag.records import Answer, Turn

from .fake_openai import FakeOpenAI


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """The fake server, running."""
    server = FakeOpenAI(api_key="test-key")
    with server.running():
        yield server


def _llm_settings(settings: Settings, fake: FakeOpenAI, key: str = "test-key") -> Settings:
    answer = settings.answer.model_copy(update={
        "llm_base_url": fake.base_url, "llm_model": "fake-model", "llm_api_key": SecretStr(key), "llm_timeout_s": 10.0})
    return settings.model_copy(update={"answer": answer})


def test_llm_answer_round_trip_drops_unknown_markers(settings, fake, retriever) -> None:  # type: ignore[no-untyped-def]
    question = "天元区的学校开了多少次家长会？"
    n = 1 + next(i for i, h in enumerate(retriever.search(question, 5)) if "62次" in h.paragraph.text)
    fake.replies = [f"天元区各校召开家长会62次[{n}][9]。"]
    chain = build_chain(_llm_settings(settings, fake), retriever)
    ans = chain.invoke(question, mode="llm")
    assert ans.mode == "llm" and not ans.abstained
    assert "[9]" not in ans.answer and "62次" in ans.answer
    assert [c.n for c in ans.citations] == [n] and "62次" in ans.citations[0].quote
    assert "dropped_markers" in ans.flags
    sent = fake.requests[0]
    assert sent["model"] == "fake-model"
    assert "[1]" in sent["messages"][-1]["content"] and "只能根据" in sent["messages"][0]["content"]


def test_unsupported_llm_answer_is_replaced_by_extractive(settings, fake, retriever) -> None:  # type: ignore[no-untyped-def]
    fake.replies = ["天元区各校一共召开了999次家长会，远超全省平均水平[1]。"]
    chain = build_chain(_llm_settings(settings, fake), retriever)
    ans = chain.invoke("天元区的学校开了多少次家长会？", mode="llm")
    assert "unsupported_llm_answer" in ans.flags and "replaced_by_extractive" in ans.flags
    assert "999" not in ans.answer and "62次" in ans.answer


def test_uncited_llm_answer_is_replaced(settings, fake, retriever) -> None:  # type: ignore[no-untyped-def]
    fake.replies = ["开了很多次会，大家都很满意。"]  # no marker, and no paragraph says so
    ans = build_chain(_llm_settings(settings, fake), retriever).invoke("天元区的学校开了多少次家长会？", mode="llm")
    assert "uncited_llm_answer" in ans.flags and ans.citations and "62次" in ans.answer


def test_unmarked_llm_answer_cites_the_paragraph_that_holds_it(settings, fake, retriever) -> None:  # type: ignore[no-untyped-def]
    fake.replies = ["62次"]  # small models often reply with the bare span
    ans = build_chain(_llm_settings(settings, fake), retriever).invoke("天元区的学校开了多少次家长会？", mode="llm")
    assert "attributed_citation" in ans.flags and not ans.abstained
    assert ans.answer.startswith("62次[") and "62次" in ans.citations[0].quote


def test_llm_abstention_phrase(settings, fake, retriever) -> None:  # type: ignore[no-untyped-def]
    s = _llm_settings(settings, fake)
    fake.replies = [s.answer.abstain_phrase]
    ans = build_chain(s, retriever).invoke("能源站总投资多少钱？", mode="llm")
    assert ans.abstained and ans.answer == s.answer.abstain_phrase and ans.related


def test_llm_streaming_yields_tokens_then_answer(settings, fake, retriever) -> None:  # type: ignore[no-untyped-def]
    fake.replies = ["局长是龙超俊[2]。"]
    chain = build_chain(_llm_settings(settings, fake), retriever)
    out = list(chain.stream("天元区教育局的局长是谁？", mode="llm"))
    *pieces, final = out
    assert len(pieces) >= 2 and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces) == "局长是龙超俊[2]。"
    assert isinstance(final, Answer) and "龙超俊" in final.answer
    assert fake.requests[-1]["stream"] is True


def test_wrong_key_raises_llm_error(settings, fake, make_hits) -> None:  # type: ignore[no-untyped-def]
    fake.replies = ["x"]
    answerer = LLMAnswerer(_llm_settings(settings, fake, key="wrong"))
    with pytest.raises(LLMError, match="refused the API key"):
        answerer.answer("局长是谁？", make_hits())
    with pytest.raises(LLMError, match="401"):
        list(answerer.stream("局长是谁？", make_hits()))


def test_llm_mode_without_configuration(settings, retriever) -> None:  # type: ignore[no-untyped-def]
    chain = build_chain(settings, retriever)
    with pytest.raises(LLMError, match="LLM mode is not configured"):
        chain.invoke("局长是谁？", mode="llm")


def test_llm_condenses_follow_ups(settings, fake, retriever) -> None:  # type: ignore[no-untyped-def]
    fake.replies = ["天元区教育局局长把家校合作比作什么？", "比作“跨界交流”[2]。"]
    chain = build_chain(_llm_settings(settings, fake), retriever)
    history = [Turn(role="user", content="天元区的教育局长是谁？"), Turn(role="assistant", content="龙超俊。[1]")]
    ans = chain.invoke("他把家校合作比作什么？", history=history, mode="llm")
    assert ans.standalone_question == "天元区教育局局长把家校合作比作什么？"
    assert "跨界交流" in ans.answer


def test_llm_stream_and_invoke_give_the_same_answer(settings, fake, retriever) -> None:  # type: ignore[no-untyped-def]
    question = "天元区的学校开了多少次家长会？"
    n = 1 + next(i for i, h in enumerate(retriever.search(question, 5)) if "62次" in h.paragraph.text)
    fake.replies = [f"天元区各校召开家长会62次[{n}]。"]  # the last reply repeats
    chain = build_chain(_llm_settings(settings, fake), retriever)
    asked = chain.invoke(question, mode="llm")
    *_, streamed = list(chain.stream(question, mode="llm"))
    same = {"answer", "abstained", "citations", "related", "standalone_question", "mode", "flags"}
    assert isinstance(streamed, Answer) and not asked.abstained
    assert streamed.model_dump(include=same) == asked.model_dump(include=same)
