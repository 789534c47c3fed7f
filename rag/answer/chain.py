"""The LangChain (LCEL) answer chain: question -> standalone question -> retrieve -> answer -> citation check -> Answer."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from rag.answer.base import Answerer, Draft
from rag.answer.calibrate import load_calibrator
from rag.answer.citations import build_citations, claims_with_markers, related_citations, support
from rag.answer.condense import condense, needs_context
from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.guards import drop_instructions, ungrounded
from rag.answer.lead import load_lead
from rag.answer.question import question_years
from rag.answer.ranker import load_ranker
from rag.answer.refusal import years_agree
from rag.answer.span import load_span
from rag.answer.state import AskState
from rag.answer.text import is_english, split_sentences
from rag.answer.tokenize import Tokenizer
from rag.config import Settings
from rag.errors import InvalidQuestionError, LLMError
from rag.index.embedders.base import Embedder
from rag.records import Answer, Hit, MetadataFilter, Turn
from rag.retrieve import Retriever
from rag.validate import check_question

History = Sequence[Turn]
MODES = ("extractive", "llm", "local", "auto")
GENERATIVE = ("llm", "local")
# Extractive refusals that auto mode keeps: the paragraphs are about something else, or about the
# same thing in another year, place or company; an LLM would answer from them anyway.
NEAR_MISS = frozenset({"low_similarity", "other_year", "entity_missing", "rare_terms_missing",
                       "key_term_missing", "no_context", "no_hits"})
Pieces = Generator[str, None, Draft]
"""An answer step's text pieces as they come (only when streaming), returning the Draft."""


class AnswerChain:
    """Answers questions over a retriever; `invoke` gives an Answer, `stream` text pieces then the Answer.
    Both run the same steps (condense, retrieve, answer, citation check) over one AskState."""

    def __init__(self, settings: Settings, retriever: Retriever, extractive: Answerer,
                 llm: Any = None, tokenizer: Tokenizer | None = None, local: Any = None) -> None:
        self.settings = settings
        self.retriever = retriever
        self.extractive = extractive
        self.llm = llm
        self.local = local  # a LocalLLM runtime (rag.answer.local), or None
        self._local_answerer: Any = None
        self.tok = tokenizer or Tokenizer()
        self._runnables = {mode: self._build(mode) for mode in MODES}

    # --- public ---------------------------------------------------------------------------

    def invoke(self, question: str, history: History = (), top_k: int | None = None,
               mode: str | None = None, filters: MetadataFilter | None = None) -> Answer:
        """Answer one question (with optional earlier turns) as an Answer record; `filters`
        restricts retrieval to the articles it allows."""
        state = self._start(question, history, top_k, mode, filters)
        result: Answer = self._runnables[state.mode].invoke(state)
        return result

    def stream(self, question: str, history: History = (), top_k: int | None = None,
               mode: str | None = None, filters: MetadataFilter | None = None) -> Iterator[str | Answer]:
        """Text pieces as they are produced (sentences, or LLM tokens), then the final Answer last."""
        state = self._retrieve(self._condense(self._start(question, history, top_k, mode, filters)))
        state = yield from self._answer_pieces(state, streaming=True)
        yield self._finish(state)

    def runnable(self, mode: str = "extractive") -> Runnable[AskState, Answer]:
        """The LCEL runnable of a mode (input: the AskState made by `_start`)."""
        return self._runnables[mode]

    # --- steps -------------------------------------------------------------------------------

    def _build(self, mode: str) -> Runnable[AskState, Answer]:
        return (
            RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(lambda s: replace(s, mode=mode), name="mode")
            | RunnableLambda(self._answer, name=f"answer_{mode}")
            | RunnableLambda(self._finish, name="citation_check")
        )

    def _start(self, question: str, history: History, top_k: int | None, mode: str | None,
               filters: MetadataFilter | None) -> AskState:
        question = check_question(question, self.settings.answer.max_question_chars)
        mode = mode or self.settings.answer.mode
        if mode not in MODES:
            raise InvalidQuestionError(f"unknown answer mode {mode!r}; use one of {', '.join(MODES)}")
        if mode in GENERATIVE:
            self._generator(mode)  # fails now (503) when that answerer is not available
        k = top_k or self.settings.retrieval.top_k
        if not 1 <= k <= 50:
            raise InvalidQuestionError(f"top_k must be within 1..50, got {k}")
        return AskState(question=question, history=tuple(history or ()), k=k, mode=mode,
                        t0=time.perf_counter(), filters=filters)

    def _llm(self) -> Any:
        if self.llm is None:
            from rag.answer.llm import LLMAnswerer

            if not self.settings.answer.llm_base_url:
                raise LLMError("LLM mode is not configured: set answer.llm_base_url (RAG_ANSWER__LLM_BASE_URL)",
                               hint="or ask in the extractive mode")
            self.llm = LLMAnswerer(self.settings)
        return self.llm

    def _local(self) -> Any:
        """The answerer over the on-box model (LLMError/LLMBusyError while it is off or loading)."""
        if self.local is None:
            raise LLMError("the on-box LLM is not available in this process",
                           hint="set local_llm.enabled and run `rag models fetch --llm`")
        if self.local.state == "off":  # the CLI and eval load it on first use; a server at start
            self.local.start(background=False)
        if self._local_answerer is None:
            from rag.answer.llm import LLMAnswerer, make_local_chat_model

            cfg = self.settings.local_llm
            chat = make_local_chat_model(self.settings, self.local.base_url)
            self._local_answerer = LLMAnswerer(self.settings, chat, gate=self.local.gate,
                                               context_chars=cfg.context_chars,
                                               max_chars=cfg.max_answer_chars, name="local")
        return self._local_answerer

    def _generator(self, mode: str) -> Any:
        return self._llm() if mode == "llm" else self._local()

    def _available_generator(self) -> Any:
        """For auto: the configured endpoint, else the on-box model when it is ready, else None."""
        if self.llm is not None or self.settings.answer.llm_base_url:
            return self._llm()
        if self.local is not None:
            if self.local.state == "off":  # the CLI and eval load it on first use
                self.local.start(background=False)
            if self.local.state == "ready":
                return self._local()
        return None

    def _route(self, draft: Draft, question: str) -> str:
        """Auto mode's choice for an extractive draft: keep it, keep its refusal, or ask the LLM.
        Refusals are kept (on rgb-dev the LLM made up answers for 4 of the 5 unanswerable questions
        it was given after a refusal), except for an English question, which sentence
        extraction over Chinese text cannot match; an answer the calibration finds unsure (or,
        where set, a low reader score) asks the LLM."""
        if draft.abstained:
            near = NEAR_MISS.intersection(draft.flags)
            return "llm" if not near and is_english(question) else "extractive"
        cfg = self.settings.answer
        unsure = draft.probability is not None and draft.probability < cfg.auto_min_probability
        return "llm" if unsure or draft.confidence < cfg.auto_min_confidence else "extractive"

    def _condense(self, state: AskState) -> AskState:
        q, history = state.question, state.history
        standalone = q
        if history and needs_context(q, self.tok):
            if state.mode == "llm":
                standalone = self._llm().condense(q, history)
            else:
                standalone = condense(q, history, self.tok)
        return replace(state, standalone=standalone)

    def _retrieve(self, state: AskState) -> AskState:
        t = time.perf_counter()
        steps: dict[str, float] = {}  # this request's own: the retriever is shared by threads
        found = self.retriever.search(state.standalone, state.k, None, timings=steps,
                                      filters=state.filters)
        return replace(state, hits=tuple(found), t_retrieve=(time.perf_counter() - t) * 1000,
                       retrieval_ms=steps)

    def _answer(self, state: AskState) -> AskState:
        """The answer step as the runnable runs it: no pieces, the state with its draft."""
        pieces = self._answer_pieces(state, streaming=False)
        while True:
            try:
                next(pieces)
            except StopIteration as done:
                result: AskState = done.value
                return result

    def _answer_pieces(self, state: AskState, streaming: bool) -> Generator[str, None, AskState]:
        """The answer step: the draft (by mode) into the state; `streaming`, its text pieces as
        they come first (an LLM's tokens, else the draft's sentences)."""
        t = time.perf_counter()
        first, generated = None, False
        if not state.hits:
            draft = Draft(text=self.settings.answer.abstain_phrase, abstained=True, flags=("no_hits",))
        elif state.mode == "auto":
            draft, first, generated = yield from self._auto(state, streaming)
        elif state.mode in GENERATIVE:
            draft = yield from self._generate(self._generator(state.mode), state, streaming)
            generated = True
        else:
            draft = self.extractive.answer(state.standalone, list(state.hits))
        if streaming and not generated:
            yield from split_sentences(draft.text)
        return replace(state, draft=draft, first=first, t_answer=(time.perf_counter() - t) * 1000)

    @staticmethod
    def _generate(gen: Any, state: AskState, streaming: bool) -> Pieces:
        """An LLM's draft: one round trip, or (streaming) its tokens as they come."""
        if not streaming:
            draft: Draft = gen.answer(state.standalone, list(state.hits))
            return draft
        pieces: list[str] = []
        for piece in gen.stream(state.standalone, list(state.hits)):
            pieces.append(piece)
            yield piece
        streamed: Draft = gen.to_draft("".join(pieces), list(state.hits))
        return streamed

    def _auto(self, state: AskState, streaming: bool) -> Generator[str, None, tuple[Draft, Draft | None, bool]]:
        """The extractive draft when it is confident (or a near-miss refusal), else the LLM's;
        also the extractive draft the LLM's replaced, and whether the LLM was asked."""
        first = self.extractive.answer(state.standalone, list(state.hits))
        gen = self._available_generator() if self._route(first, state.standalone) == "llm" else None
        if gen is None:
            return first.model_copy(update={"flags": first.flags + ("via_extractive",)}), None, False
        try:
            draft = yield from self._generate(gen, state, streaming)
        except LLMError as exc:  # busy or down: the extractive draft stands
            return first.model_copy(update={"flags": first.flags + ("via_extractive", exc.code)}), None, True
        return draft.model_copy(update={"flags": draft.flags + (f"via_{gen.name}",)}), first, True

    def _finish(self, state: AskState) -> Answer:
        """The citation check: markers mapped to citations, unsupported LLM answers replaced."""
        hits, mode = state.hits, state.mode
        if state.draft is None:
            raise AssertionError("the answer step runs before the citation check")
        draft = state.draft
        extra: list[str] = []
        generated = mode in GENERATIVE or any(f in ("via_llm", "via_local") for f in draft.flags)
        if generated and not draft.abstained:
            draft, extra = self._check_llm(draft, state)
        flags = list(draft.flags) + extra
        total = (time.perf_counter() - state.t0) * 1000
        timings = {"retrieve": round(state.t_retrieve, 2), "answer": round(state.t_answer, 2),
                   "total": round(total, 2)}
        if "embed_ms" in state.retrieval_ms:
            timings["embed"] = round(state.retrieval_ms["embed_ms"], 2)
        if draft.abstained:
            return Answer(question=state.question, answer=self.settings.answer.abstain_phrase, abstained=True,
                          related=related_citations(hits), standalone_question=state.standalone,
                          mode=mode, flags=tuple(dict.fromkeys(flags)), timings_ms=timings)
        citations = build_citations(draft.cited, hits, draft.quotes, draft.text)
        return Answer(question=state.question, answer=draft.text, abstained=False, citations=citations,
                      standalone_question=state.standalone, mode=mode,
                      flags=tuple(dict.fromkeys(flags)), timings_ms=timings)

    def _check_llm(self, draft: Draft, state: AskState) -> tuple[Draft, list[str]]:
        """The grounding guards: every claim cites a paragraph that supports it, every number, date,
        title and name stands in a cited paragraph, and a year the question names stands in the
        cited articles. Otherwise the extractive answer (or its refusal) replaces it."""
        hits = state.hits
        claims = claims_with_markers(draft.text)
        cited = [n for _, ns in claims for n in ns]
        supported = [
            bool(ns) and max(support(c, drop_instructions(hits[n - 1].paragraph.text)) for n in ns)
            >= self.settings.answer.min_llm_support
            for c, ns in claims
        ]
        reason = None
        if not cited:
            reason = "uncited_llm_answer"
        elif not (supported and all(supported)):
            reason = "unsupported_llm_answer"
        elif ungrounded(draft.text, cited, hits, self.tok):
            reason = "ungrounded_llm_fact"
        elif not self._years_hold(state.standalone, cited, hits):
            reason = "other_year"
        if reason is None:
            return draft, []
        fallback = state.first or self.extractive.answer(state.standalone, list(hits))
        return fallback.model_copy(update={"flags": fallback.flags + ("replaced_by_extractive",)}), [reason]

    @staticmethod
    def _years_hold(question: str, cited: Sequence[int], hits: Sequence[Hit]) -> bool:
        years = question_years(question)
        if not years:
            return True
        for n in dict.fromkeys(cited):
            p = hits[n - 1].paragraph
            article = " ".join(h.paragraph.text for h in hits if h.paragraph.article_id == p.article_id)
            if years_agree(years, p.text, f"{p.article_title} {article}"):
                return True
        return False


def build_chain(settings: Settings, retriever: Retriever, llm: Any = None,
                embedder: Embedder | None = None, local: Any = None,
                tokenizer: Tokenizer | None = None) -> AnswerChain:
    """The answer chain over a retriever (anything with search(query, k, mode) -> list[Hit]).

    `llm` is an LLMAnswerer or a LangChain chat model; without it LLM mode builds one from settings
    on first use. `embedder` (optional) lets the extractive reader score sentences by similarity.
    `tokenizer`: a jieba tokenizer already loaded (another chain's), which takes seconds to load.
    """
    tok = tokenizer or Tokenizer()
    index = getattr(retriever, "index", None)
    keyword = getattr(index, "keyword", None)
    extractive = ExtractiveAnswerer(settings, embedder=embedder, tokenizer=tok,
                                    idf=getattr(keyword, "idf", None), year_of=getattr(index, "year_of", None),
                                    calibrator=load_calibrator(settings.answer.calibration_file)
                                    if settings.answer.min_answer_probability > 0 else None,
                                    ranker=load_ranker(settings.answer.ranker_file)
                                    if settings.answer.fitted_ranker else None,
                                    lead=load_lead() if settings.answer.fitted_lead else None,
                                    span=load_span() if settings.answer.fitted_span else None)
    if llm is not None and not hasattr(llm, "to_draft"):
        from rag.answer.llm import LLMAnswerer

        llm = LLMAnswerer(settings, chat_model=llm)
    return AnswerChain(settings, retriever, extractive, llm=llm, tokenizer=tok, local=local)


__all__ = ["AnswerChain", "build_chain"]
