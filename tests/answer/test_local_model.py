"""The real on-box model (Qwen2.5-Coder-0.5B-Instruct, llama.cpp in-process) on a few questions,
loaded once for the session; the set-up fetches and verifies it (`rag models fetch`)."""

from __future__ import annotations

import pytest

from rag.answer.chain import build_chain
from rag.answer.guards import ungrounded

from .conftest import KeywordRetriever

pytestmark = pytest.mark.slow


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


def test_a_burst_gets_answers_or_a_clean_busy_never_a_fault(settings, local_llm) -> None:  # type: ignore[no-untyped-def]
    """Five questions at once on one generation slot and a queue of two: `local` answers three and
    says `llm_busy` (503, Retry-After) to the rest; `auto` answers all five (busy -> extractive)."""
    import threading

    from rag.errors import LLMBusyError, RagError

    assert local_llm.gate.capacity == 1 + settings.local_llm.queue == 3
    auto = settings.model_copy(update={  # every answered question goes to the LLM; waits never time out
        "answer": settings.answer.model_copy(update={"auto_min_confidence": 1e9}),
        "local_llm": settings.local_llm.model_copy(update={"timeout_s": 600.0})})
    chain = build_chain(auto, KeywordRetriever(), local=local_llm)
    question = "隆回交警为学生发放了多少份宣传资料？"
    for mode in ("local", "auto"):
        results: list[object] = []
        barrier = threading.Barrier(5)

        def ask(mode: str = mode, barrier: threading.Barrier = barrier,
                results: list[object] = results) -> None:
            barrier.wait()
            try:
                results.append(chain.invoke(question, mode=mode))
            except RagError as exc:
                results.append(exc)

        threads = [threading.Thread(target=ask) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        busy = [r for r in results if isinstance(r, LLMBusyError)]
        answers = [r for r in results if not isinstance(r, RagError)]
        assert len(results) == 5 and len(busy) + len(answers) == 5, results
        if mode == "local":
            assert len(answers) == 3 and all(b.http_status == 503 and b.retry_after_s for b in busy)
        else:
            assert len(answers) == 5 and not busy
            assert sum("llm_busy" in a.flags for a in answers) == 2, [a.flags for a in answers]
            assert all("20000" in a.answer for a in answers if "llm_busy" in a.flags)
