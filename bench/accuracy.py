"""Answer accuracy of `ask` on a question set with gold answers, for our pipeline and for the stock
LangChain retrieval (langchain-community FAISS + HuggingFaceEmbeddings) feeding the same reader,
so the comparison isolates retrieval: same questions, same scoring as `rag eval`."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.measure import summarize_ms
from rag.eval.metrics import answer_correct
from rag.eval.questions import QuestionItem
from rag.records import Hit

Ask = Callable[[str], tuple[str, bool]]  # question -> (answer text, abstained)


def ask_accuracy(ask: Ask, items: Sequence[QuestionItem]) -> dict[str, Any]:
    """Share of questions answered right (an unanswerable one is right when refused), and the
    latency of each ask (the first one, which warms caches, excluded)."""
    right = 0
    times: list[float] = []
    for item in items:
        t = time.perf_counter()
        text, abstained = ask(item.question)
        times.append((time.perf_counter() - t) * 1000)
        if item.unanswerable:
            right += abstained
        else:
            right += (not abstained) and answer_correct(text, item.answers, item.answers_all)
    return {"n": len(items), "accuracy": round(right / len(items), 4) if items else None,
            "ask_ms": summarize_ms(times[1:])}


def ours_ask(pipeline: Any) -> Ask:
    """Our pipeline's ask (retrieval, reader, citations)."""
    def ask(question: str) -> tuple[str, bool]:
        answer = pipeline.ask(question)
        return answer.answer, answer.abstained

    return ask


def langchain_ask(store: Any, index: Any, answerer: Any, k: int) -> Ask:
    """Stock LangChain retrieval (similarity_search_with_score, k chunks) mapped to paragraphs and
    read by our extractive reader. The L2 distance of unit vectors becomes the cosine the reader's
    relevance floor expects (1 - d^2 / 2)."""
    def ask(question: str) -> tuple[str, bool]:
        hits: list[Hit] = []
        seen: set[str] = set()
        for rank, (doc, dist) in enumerate(store.similarity_search_with_score(question, k=k), start=1):
            chunk = index.chunk_by_id[doc.metadata["chunk_id"]]
            pid = chunk.paragraph_ids[0]
            if pid in seen:
                continue
            seen.add(pid)
            hits.append(Hit(paragraph=index.paragraphs[pid], chunk_id=chunk.chunk_id,
                            chunk_text=chunk.text, score=1.0 / rank, dense_score=1.0 - float(dist) / 2,
                            dense_rank=rank))
        draft = answerer.answer(question, hits)
        return draft.text, draft.abstained

    return ask
