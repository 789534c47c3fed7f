"""The LCEL chain with the extractive answerer: validation, follow-ups, streaming, the Answer record."""

from __future__ import annotations

import pytest

from rag.answer.chain import build_chain
from rag.answer.condense import condense, needs_context
from rag.errors import InvalidQuestionError, QuestionTooLongError
from rag.records import Answer, Turn


def test_invoke_returns_a_cited_answer(settings, retriever) -> None:  # type: ignore[no-untyped-def]
    ans = build_chain(settings, retriever).invoke("天元区教育局的局长叫什么名字？")
    assert isinstance(ans, Answer) and not ans.abstained and ans.mode == "extractive"
    assert "龙超俊" in ans.answer and "[" in ans.answer
    assert ans.citations and "龙超俊" in ans.citations[0].quote
    assert set(ans.timings_ms) >= {"retrieve", "answer", "total"}
    assert ans.standalone_question == "天元区教育局的局长叫什么名字？"
    Answer.model_validate(ans.model_dump(mode="json"))


def test_abstention_shows_related_paragraphs(settings, retriever) -> None:  # type: ignore[no-untyped-def]
    ans = build_chain(settings, retriever).invoke("能源站总投资多少钱？")
    assert ans.abstained and ans.answer == settings.answer.abstain_phrase
    assert not ans.citations and ans.related


def test_citations_stay_inside_the_context(settings, retriever) -> None:  # type: ignore[no-untyped-def]
    ans = build_chain(settings, retriever).invoke("隆回交警发放了多少份宣传资料？", top_k=3)
    ids = {h.paragraph.paragraph_id for h in retriever.search("隆回交警发放了多少份宣传资料？", 3)}
    assert ans.citations and all(c.paragraph_id in ids for c in ans.citations)


@pytest.mark.parametrize("bad", ["", "   ", "\n"])
def test_empty_question_is_refused(settings, retriever, bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidQuestionError):
        build_chain(settings, retriever).invoke(bad)


def test_too_long_question_is_refused(settings, retriever) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QuestionTooLongError):
        build_chain(settings, retriever).invoke("问" * (settings.answer.max_question_chars + 1))


def test_stream_yields_sentences_then_the_answer(settings, retriever) -> None:  # type: ignore[no-untyped-def]
    *pieces, final = list(build_chain(settings, retriever).stream("天元区的学校开了多少次家长会？"))
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert isinstance(final, Answer) and "".join(pieces) == final.answer


def test_follow_up_is_condensed_before_retrieval(settings, retriever) -> None:  # type: ignore[no-untyped-def]
    history = [Turn(role="user", content="智慧能源站是什么时候开工的？"),
               Turn(role="assistant", content="工程于2021年5月开工。[1]")]
    ans = build_chain(settings, retriever).invoke("它的项目经理是谁？", history=history)
    assert "能源站" in ans.standalone_question
    assert retriever.queries[-1] == ans.standalone_question
    assert "黄湘源" in ans.answer


def test_condense_rules(tok) -> None:  # type: ignore[no-untyped-def]
    history = [Turn(role="user", content="天元区开了多少次家长会？"), Turn(role="assistant", content="62次[1]")]
    assert condense("那隆回呢？", history, tok) == "隆回开了多少次家长会？"
    assert condense("天元区教育局局长是谁？", history, tok) == "天元区教育局局长是谁？"
    assert condense("他是谁？", [], tok) == "他是谁？"
    assert needs_context("那里的所长是谁？") and not needs_context("西渡派出所的所长是谁？")


@pytest.mark.parametrize("question", ["天元区教育局的局长叫什么名字？", "能源站总投资多少钱？",
                                      "天元区的学校开了多少次家长会？"])
def test_stream_and_invoke_run_the_same_steps(settings, retriever, question) -> None:  # type: ignore[no-untyped-def]
    chain = build_chain(settings, retriever)
    asked = chain.invoke(question)
    *_, streamed = list(chain.stream(question))
    assert isinstance(streamed, Answer)
    same = {"answer", "abstained", "citations", "related", "standalone_question", "mode", "flags"}
    assert streamed.model_dump(include=same) == asked.model_dump(include=same)
