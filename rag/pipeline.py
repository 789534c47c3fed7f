"""One object wiring settings -> index -> retriever -> chain. The API, the UI, the CLI and eval all use it.

Contract (others code against this; keep it stable):

    pipeline = Pipeline.open(settings)          # loads or builds the index, loads the model once
    pipeline.ask(question, history=(), top_k=None, mode=None) -> Answer
    pipeline.stream(question, history=(), top_k=None, mode=None) -> Iterator[str | Answer]
        # yields text pieces, then the final Answer record last
    pipeline.search(query, k=5, mode=None) -> list[Hit]
    pipeline.articles() -> list[Article]        # paragraphs included
    pipeline.article(article_id) -> Article     # raises NotFoundError
    pipeline.health() -> dict                   # index, model and corpus status
    pipeline.with_settings(settings) -> Pipeline  # same index + embedder, other retrieval/answer settings
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.errors import NotFoundError
from rag.records import Answer, Article, Hit, MetadataFilter, Turn
from rag.validate import check_question

if TYPE_CHECKING:  # the collaborators' modules load models and indexes: imported where used
    from rag.answer.chain import AnswerChain
    from rag.answer.local import LocalLLM
    from rag.index.embedders import Embedder
    from rag.index.loaded import LoadedIndex
    from rag.retrieve import Retriever

if TYPE_CHECKING:
    from rag.index.corpus import CorpusSnapshot

log = logging.getLogger(__name__)

History = Sequence[Turn]


class Pipeline:
    """The composed system: one embedder, one loaded index, one retriever, one answer chain."""

    def __init__(self, settings: Settings, index: LoadedIndex, embedder: Embedder | None,
                 retriever: Retriever, chain: AnswerChain, local: LocalLLM | None = None) -> None:
        self.settings = settings
        self.local = local  # the on-box LLM runtime, or None
        self.index = index
        self.embedder = embedder  # None: a keyword-only pipeline
        self.retriever = retriever
        self.chain = chain
        self._articles = {a.article_id: a for a in index.articles}
        self.opened_at = time.time()

    @classmethod
    def open(cls, settings: Settings, *, embedder: Embedder | None = None, progress: Any = False,
             keyword: Any = None, local: LocalLLM | None = None, rebuild: bool = False,
             corpus: CorpusSnapshot | None = None) -> Pipeline:
        """Load the model once, load the index (building or updating it when stale), wire the chain.
        `keyword`: a KeywordIndex already built over the corpus's chunks, reused by the build;
        `rebuild`: build the index again even when it looks current (it was found corrupt);
        `corpus`: the corpus folder's CorpusSnapshot, when this start already made one."""
        from rag.answer.chain import build_chain
        from rag.index.builder import ensure_index
        from rag.index.embedders import make_embedder
        from rag.retrieve import HybridRetriever

        t0 = time.perf_counter()
        embedder = embedder or make_embedder(settings)
        index = ensure_index(settings, embedder, progress=progress, keyword=keyword, rebuild=rebuild,
                             corpus=corpus)
        retriever = HybridRetriever(index, embedder, settings)
        local = local if local is not None else make_local_llm(settings)
        chain = build_chain(settings, retriever, embedder=embedder, local=local)
        _warm_up(chain)
        log.info("pipeline ready in %.1f s", time.perf_counter() - t0)
        return cls(settings, index, embedder, retriever, chain, local)

    @classmethod
    def keyword_only(cls, settings: Settings, local: LocalLLM | None = None,
                     corpus: CorpusSnapshot | None = None) -> Pipeline:
        """A pipeline over an in-memory BM25 index of the corpus folder, no model: it answers in
        seconds on a corpus of any size while the dense index is being built (`corpus`: the
        folder's CorpusSnapshot, when the caller made one)."""
        from rag.answer.chain import build_chain
        from rag.index.builder import keyword_only_index
        from rag.retrieve import HybridRetriever

        t0 = time.perf_counter()
        index = keyword_only_index(settings, corpus)
        retriever = HybridRetriever(index, None, settings)
        chain = build_chain(settings, retriever, local=local)
        _warm_up(chain)
        log.info("keyword-only pipeline ready in %.1f s (%d chunks)", time.perf_counter() - t0,
                 len(index.chunks))
        return cls(settings, index, None, retriever, chain, local)

    @classmethod
    def open_progressively(cls, settings: Settings, publish: Callable[[Pipeline], None],
                           report: Callable[[dict[str, Any]], None]) -> Pipeline:
        """Open like `open`; but when the corpus has no index yet, first `publish` a keyword-only
        pipeline, then build the dense side, `report`ing its progress, and return the full one.
        A corrupt index raises IndexCorruptError, or with `index.rebuild_on_corrupt` is rebuilt
        the same progressive way."""
        from rag.errors import IndexCorruptError
        from rag.index.builder import corpus_is_indexed
        from rag.index.corpus import CorpusSnapshot
        from rag.index.embedders import make_embedder

        local = make_local_llm(settings)
        if local is not None:  # a server loads the on-box LLM at once, in the background
            local.start(background=True)
        embedder = None
        corpus = CorpusSnapshot.of(settings.corpus_dir)  # fingerprinted once, ingested at most once
        try:
            if corpus_is_indexed(settings, corpus=corpus):
                report({"phase": "loading"})
                embedder = make_embedder(settings)
                return cls.open(settings, embedder=embedder, local=local, corpus=corpus)
            rebuild = False
        except IndexCorruptError as exc:
            if not settings.index.rebuild_on_corrupt:
                raise
            log.warning("the index is corrupt (%s); rebuilding it from the corpus folder", exc.message)
            rebuild = True
        report({"phase": "keyword"})
        quick = cls.keyword_only(settings, local=local, corpus=corpus)
        publish(quick)
        total = len(quick.index.chunks)
        report({"phase": "dense", "chunks": total, "embedded": 0})

        def embedded(done: int, todo: int) -> None:
            report({"phase": "dense", "chunks": total, "embedded": done, "to_embed": todo})

        return cls.open(settings, embedder=embedder, progress=embedded, keyword=quick.index.keyword,
                        local=local, rebuild=rebuild, corpus=corpus)

    def with_settings(self, settings: Settings) -> Pipeline:
        """A sibling over the same loaded index and embedder with other retrieval/answer settings
        (used by `rag eval --compare`); settings that shape the index must not change."""
        from rag.answer.chain import build_chain
        from rag.errors import ConfigError
        from rag.retrieve import HybridRetriever

        for name in ("corpus_dir", "index_dir", "model", "chunk", "store"):
            if getattr(settings, name) != getattr(self.settings, name):
                raise ConfigError(f"with_settings cannot change {name!r}: it shapes the index",
                                  hint="open a new Pipeline for another corpus, model or index")
        retriever = HybridRetriever(self.index, self.embedder, settings)
        chain = build_chain(settings, retriever, embedder=self.embedder, local=self.local)
        return type(self)(settings, self.index, self.embedder, retriever, chain, self.local)

    def with_index(self, index: LoadedIndex) -> Pipeline:
        """A sibling over another generation of the same index (after an article edit): same
        settings, embedder and on-box LLM; a new retriever and chain. No warm-up query."""
        from rag.answer.chain import build_chain
        from rag.retrieve import HybridRetriever

        retriever = HybridRetriever(index, self.embedder, self.settings,
                                    pool=getattr(self.retriever, "pool", None))
        chain = build_chain(self.settings, retriever, embedder=self.embedder, local=self.local,
                            tokenizer=getattr(self.chain, "tok", None))
        return type(self)(self.settings, index, self.embedder, retriever, chain, self.local)

    def ask(self, question: str, history: History = (), top_k: int | None = None,
            mode: str | None = None, filters: MetadataFilter | None = None) -> Answer:
        """Answer one question with citations (or abstain); `filters` (a MetadataFilter) limits
        retrieval to the articles it allows."""
        return self.chain.invoke(question, history=history, top_k=top_k, mode=mode, filters=filters)

    def stream(self, question: str, history: History = (), top_k: int | None = None,
               mode: str | None = None, filters: MetadataFilter | None = None) -> Iterator[str | Answer]:
        """Stream text pieces, then the final Answer record."""
        return self.chain.stream(question, history=history, top_k=top_k, mode=mode, filters=filters)

    def search(self, query: str, k: int = 5, mode: str | None = None,
               filters: MetadataFilter | None = None) -> list[Hit]:
        """Ranked paragraphs for a query."""
        query = check_question(query, self.settings.answer.max_question_chars, "query")
        return self.retriever.search(query, k=k, mode=mode, filters=filters)

    def articles(self) -> list[Article]:
        """Every article in the index, in corpus order."""
        return list(self._articles.values())

    def article(self, article_id: str) -> Article:
        """One article by id; NotFoundError when absent."""
        try:
            return self._articles[article_id]
        except KeyError:
            raise NotFoundError(f"no article with id {article_id!r}") from None

    def health(self) -> dict[str, Any]:
        """Index, model and corpus status."""
        manifest = getattr(self.index, "manifest", None)
        info = (manifest.model_dump(mode="json", exclude={"files"})  # 15+ file sums: see --verify
                if hasattr(manifest, "model_dump") else (manifest or {}))
        return {
            "status": "ok",
            "articles": len(self._articles),
            "paragraphs": sum(len(a.paragraphs) for a in self._articles.values()),
            "model": getattr(self.embedder, "name", None),
            "model_backend": getattr(self.embedder, "backend", None),
            "retrieval": self.settings.retrieval.mode if getattr(self.index, "dense_ready", True)
            else "keyword (the dense index is being built)",
            "corpus_dir": str(self.settings.corpus_dir),
            "index_dir": str(self.settings.index_dir),
            "manifest": info,
            "answer_mode": self.settings.answer.mode,
            "llm_configured": bool(self.settings.answer.llm_base_url),
            "local_llm": self.local.status() if self.local is not None else {"state": "disabled"},
        }


def make_local_llm(settings: Settings) -> LocalLLM | None:
    """The on-box LLM runtime (not loaded yet) when it is enabled and its file is present."""
    if not settings.local_llm.enabled:
        return None
    from rag.answer.local import LocalLLM
    from rag.llm_files import llm_path

    if not llm_path(settings).is_file():
        log.info("no on-box LLM file at %s: the local mode is off", llm_path(settings))
        return None
    return LocalLLM(settings)  # loaded on first use (CLI, eval) or at once by a server


def _warm_up(chain: AnswerChain) -> None:
    """Ask one question at start so the first user does not pay for lazy loads (jieba, its tagger)."""
    from rag.errors import RagError

    t0 = time.perf_counter()
    try:
        chain.invoke("这篇新闻是谁在什么时候发布的？", mode="extractive")
    except RagError as exc:  # an empty index, say: serving still starts, requests report it
        log.warning("warm-up query failed: %s", exc)
    log.info("warm-up query in %.0f ms", (time.perf_counter() - t0) * 1000)

