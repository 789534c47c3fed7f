"""The LangChain (LCEL) answer chain: question -> standalone question -> retrieve -> answer -> citation check -> Answer."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from rag.answer.base import Answerer, Draft, Embedder
from rag.answer.citations import build_citations, claims_with_markers, related_citations, support
from rag.answer.condense import condense, needs_context
from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.text import split_sentences
from rag.answer.tokenize import Tokenizer
from rag.config import Settings
from rag.errors import InvalidQuestionError, LLMError, QuestionTooLongError
from rag.records import Answer, Hit

History = Sequence[Mapping[str, str]]
MODES = ("extractive", "llm")


class AnswerChain:
    """Answers questions over a retriever; `invoke` gives an Answer, `stream` text pieces then the Answer."""

    def __init__(self, settings: Settings, retriever: Any, extractive: Answerer,
                 llm: Any = None, tokenizer: Tokenizer | None = None) -> None:
        self.settings = settings
        self.retriever = retriever
        self.extractive = extractive
        self.llm = llm
        self.tok = tokenizer or Tokenizer()
        self._runnables = {mode: self._build(mode) for mode in MODES}

    # --- public ---------------------------------------------------------------------------

    def invoke(self, question: str, history: History = (), top_k: int | None = None,
               mode: str | None = None) -> Answer:
        """Answer one question (with optional OpenAI-style history) as an Answer record."""
        state = self._start(question, history, top_k, mode)
        result: Answer = self._runnables[state["mode"]].invoke(state)
        return result

    def stream(self, question: str, history: History = (), top_k: int | None = None,
               mode: str | None = None) -> Iterator[str | Answer]:
        """Text pieces as they are produced (sentences, or LLM tokens), then the final Answer last."""
        state = self._start(question, history, top_k, mode)
        state = self._retrieve(self._condense(state))
        if state["mode"] == "llm":
            t0 = time.perf_counter()
            pieces: list[str] = []
            for piece in self._llm().stream(state["standalone"], state["hits"]):
                pieces.append(piece)
                yield piece
            state["draft"] = self._llm().to_draft("".join(pieces), len(state["hits"]))
            state["t_answer"] = (time.perf_counter() - t0) * 1000
        else:
            state = self._answer(state)
            draft: Draft = state["draft"]
            yield from split_sentences(draft.text)
        yield self._finish(state)

    def runnable(self, mode: str = "extractive") -> Runnable[dict[str, Any], Answer]:
        """The LCEL runnable of a mode (input: the state dict made by `_start`)."""
        return self._runnables[mode]

    # --- steps -------------------------------------------------------------------------------

    def _build(self, mode: str) -> Runnable[dict[str, Any], Answer]:
        return (
            RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnablePassthrough.assign(mode=lambda s: mode)
            | RunnableLambda(self._answer, name=f"answer_{mode}")
            | RunnableLambda(self._finish, name="citation_check")
        )

    def _start(self, question: str, history: History, top_k: int | None, mode: str | None) -> dict[str, Any]:
        if not isinstance(question, str) or not question.strip():
            raise InvalidQuestionError("the question is empty")
        limit = self.settings.answer.max_question_chars
        if len(question) > limit:
            raise QuestionTooLongError(f"the question has {len(question)} characters; the limit is {limit}")
        mode = mode or self.settings.answer.mode
        if mode not in MODES:
            raise InvalidQuestionError(f"unknown answer mode {mode!r}; use one of {', '.join(MODES)}")
        if mode == "llm":
            self._llm()
        k = top_k or self.settings.retrieval.top_k
        if not 1 <= k <= 50:
            raise InvalidQuestionError(f"top_k must be within 1..50, got {k}")
        return {"question": question.strip(), "history": list(history or ()), "k": k, "mode": mode,
                "t0": time.perf_counter()}

    def _llm(self) -> Any:
        if self.llm is None:
            from rag.answer.llm import LLMAnswerer

            if not self.settings.answer.llm_base_url:
                raise LLMError("LLM mode is not configured: set answer.llm_base_url (RAG_ANSWER__LLM_BASE_URL)",
                               hint="or ask in the extractive mode")
            self.llm = LLMAnswerer(self.settings)
        return self.llm

    def _condense(self, state: dict[str, Any]) -> dict[str, Any]:
        q, history = state["question"], state["history"]
        standalone = q
        if history and needs_context(q, self.tok):
            if state["mode"] == "llm":
                standalone = self._llm().condense(q, history)
            else:
                standalone = condense(q, history, self.tok)
        return {**state, "standalone": standalone}

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        t = time.perf_counter()
        hits: list[Hit] = list(self.retriever.search(state["standalone"], state["k"], None))
        return {**state, "hits": hits, "t_retrieve": (time.perf_counter() - t) * 1000}

    def _answer(self, state: dict[str, Any]) -> dict[str, Any]:
        t = time.perf_counter()
        answerer = self._llm() if state["mode"] == "llm" else self.extractive
        draft = answerer.answer(state["standalone"], state["hits"]) if state["hits"] else Draft(
            text=self.settings.answer.abstain_phrase, abstained=True, flags=("no_hits",))
        return {**state, "draft": draft, "t_answer": (time.perf_counter() - t) * 1000}

    def _finish(self, state: dict[str, Any]) -> Answer:
        """The citation check: markers mapped to citations, unsupported LLM answers replaced."""
        hits: list[Hit] = state["hits"]
        draft: Draft = state["draft"]
        mode = state["mode"]
        extra: list[str] = []
        if mode == "llm" and not draft.abstained:
            draft, extra = self._check_llm(draft, state)
        flags = list(draft.flags) + extra
        total = (time.perf_counter() - state["t0"]) * 1000
        timings = {"retrieve": round(state.get("t_retrieve", 0.0), 2),
                   "answer": round(state.get("t_answer", 0.0), 2), "total": round(total, 2)}
        if draft.abstained:
            return Answer(question=state["question"], answer=self.settings.answer.abstain_phrase, abstained=True,
                          related=related_citations(hits), standalone_question=state["standalone"],
                          mode=mode, flags=tuple(dict.fromkeys(flags)), timings_ms=timings)
        citations = build_citations(draft.cited, hits, draft.quotes, draft.text)
        return Answer(question=state["question"], answer=draft.text, abstained=False, citations=citations,
                      standalone_question=state["standalone"], mode=mode,
                      flags=tuple(dict.fromkeys(flags)), timings_ms=timings)

    def _check_llm(self, draft: Draft, state: dict[str, Any]) -> tuple[Draft, list[str]]:
        """Every claim must be supported by a paragraph it cites; otherwise use the extractive answer."""
        hits: list[Hit] = state["hits"]
        claims = claims_with_markers(draft.text)
        cited = [n for _, ns in claims for n in ns]
        supported = [
            bool(ns) and max(support(c, hits[n - 1].paragraph.text) for n in ns) >= self.settings.answer.min_llm_support
            for c, ns in claims
        ]
        if cited and supported and all(supported):
            return draft, []
        fallback = self.extractive.answer(state["standalone"], hits)
        reason = "uncited_llm_answer" if not cited else "unsupported_llm_answer"
        return fallback.model_copy(update={"flags": fallback.flags + ("replaced_by_extractive",)}), [reason]


def build_chain(settings: Settings, retriever: Any, llm: Any = None,
                embedder: Embedder | None = None) -> AnswerChain:
    """The answer chain over a retriever (anything with search(query, k, mode) -> list[Hit]).

    `llm` is an LLMAnswerer or a LangChain chat model; without it LLM mode builds one from settings
    on first use. `embedder` (optional) lets the extractive reader score sentences by similarity.
    """
    tok = Tokenizer()
    keyword = getattr(getattr(retriever, "index", None), "keyword", None)
    extractive = ExtractiveAnswerer(settings, embedder=embedder, tokenizer=tok,
                                    idf=getattr(keyword, "idf", None))
    if llm is not None and not hasattr(llm, "to_draft"):
        from rag.answer.llm import LLMAnswerer

        llm = LLMAnswerer(settings, chat_model=llm)
    return AnswerChain(settings, retriever, extractive, llm=llm, tokenizer=tok)


__all__ = ["AnswerChain", "build_chain"]
