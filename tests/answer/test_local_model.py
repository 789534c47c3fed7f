"""The real on-box model (Qwen2.5-Coder-0.5B-Instruct, llama.cpp in-process) on a few questions,
loaded once for the session; the set-up fetches and verifies it (`rag models fetch`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rag.answer.chain import build_chain
from rag.answer.guards import ungrounded
from rag.answer.local import LocalLLM
from rag.config import Settings

from .conftest import KeywordRetriever

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def local_llm() -> Iterator[LocalLLM]:
    settings = Settings()
    settings = settings.model_copy(update={"local_llm": settings.local_llm.model_copy(
        update={"model": "qwen2.5-coder-0.5b", "threads": 2})})
    local = LocalLLM(settings).start(background=False)
    assert local.state == "ready", local.status()
    yield local
    local.close()


QUESTIONS = [
    ("天元区教育局局长叫什么名字？", "龙超俊"),
    ("隆回交警为学生发放了多少份宣传资料？", "20000"),
    ("智慧能源站工程的项目经理是谁？", "黄湘源"),
]


def test_real_model_answers_grounded_with_citations(settings, local_llm, tok) -> None:  # type: ignore[no-untyped-def]
    retriever = KeywordRetriever()
    chain = build_chain(settings, retriever, local=local_llm)
    right = 0
    for question, gold in QUESTIONS:
        ans = chain.invoke(question, mode="local")
        if ans.abstained:
            continue
        # whatever it wrote, what is shown is grounded: every fact in a cited paragraph
        hits = retriever.search(question, 5)
        assert ans.citations and not ungrounded(ans.answer, [c.n for c in ans.citations], hits, tok)
        right += gold in ans.answer
    assert right >= 2, "the on-box model answered fewer than 2 of 3 simple questions"
    assert local_llm.status()["state"] == "ready" and local_llm.load_s is not None


def test_real_model_never_answers_a_near_miss_with_another_year(settings, local_llm) -> None:  # type: ignore[no-untyped-def]
    ans = build_chain(settings, KeywordRetriever(), local=local_llm).invoke(
        "2019年天元区的学校开了多少次家长会？", mode="local")
    assert ans.abstained or "2019" in " ".join(c.quote for c in ans.citations)
