"""Retrieval quality on a question set: recall@1, recall@5 and MRR@10 per mode, side by side.

Run: rag index --evaluate eval/questions.jsonl
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.eval.metrics import mrr, recall_at_k
from rag.eval.questions import QuestionItem, load_questions
from rag.index.embedders import Embedder
from rag.index.loaded import LoadedIndex
from rag.ingest import normalize_text
from rag.records import Hit

MRR_DEPTH = 10


@dataclass(frozen=True)
class RetrievalScores:
    """One mode's figures over the answerable questions."""

    mode: str
    n: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    misses: tuple[str, ...] = ()


def load_retrieval_questions(path: Path) -> list[QuestionItem]:
    """The answerable questions (those with evidence) of a question set."""
    return [item for item in load_questions(path) if item.evidence]


def gold_rank(hits: Sequence[Hit], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first hit whose paragraph contains any evidence string.

    Matched on the ingest normalisation (width and spaces only), stricter than the answer
    metrics' `retrieval_ranks`, so that these figures stay comparable with earlier runs.
    """
    needles = [normalize_text(e) for e in evidence]
    for rank, hit in enumerate(hits, start=1):
        text = normalize_text(hit.paragraph.text)
        if any(n and n in text for n in needles):
            return rank
    return None


def score_mode(retriever: object, questions: Sequence[QuestionItem], mode: str,
               vectors: np.ndarray | None = None, label: str | None = None) -> RetrievalScores:
    """Recall@1, recall@5 and MRR@10 of one retrieval mode (query vectors reused when given)."""
    ranks = []
    for i, q in enumerate(questions):
        hits = retriever.search(q.question, k=MRR_DEPTH, mode=mode,  # type: ignore[attr-defined]
                                query_vector=None if vectors is None else vectors[i])
        ranks.append(gold_rank(hits, q.evidence))
    return RetrievalScores(
        mode=label or mode, n=len(ranks),
        recall_at_1=recall_at_k(ranks, 1),
        recall_at_5=recall_at_k(ranks, 5),
        mrr=mrr(ranks),
        misses=tuple(q.id for q, r in zip(questions, ranks, strict=True) if not r or r > 5),
    )


def compare_modes(index: LoadedIndex, embedder: Embedder, settings: Settings,
                  questions: Sequence[QuestionItem]) -> list[RetrievalScores]:
    """Each BM25 variant, BM25 (both), dense and hybrid on the same questions, embedding each once."""
    from rag.retrieve import HybridRetriever

    vectors = embedder.embed_batch([q.question for q in questions], "query") if questions else None
    r = settings.retrieval
    only_words = settings.model_copy(update={"retrieval": r.model_copy(update={"bigrams_weight": 0.0})})
    only_bigrams = settings.model_copy(update={"retrieval": r.model_copy(update={"words_weight": 0.0})})
    main = HybridRetriever(index, embedder, settings)
    return [
        score_mode(HybridRetriever(index, embedder, only_words), questions, "keyword", vectors,
                   "bm25 (jieba words)"),
        score_mode(HybridRetriever(index, embedder, only_bigrams), questions, "keyword", vectors,
                   "bm25 (char bigrams)"),
        score_mode(main, questions, "keyword", vectors, "bm25 (words + bigrams, RRF)"),
        score_mode(main, questions, "dense", vectors, f"dense ({embedder.name})"),
        score_mode(main, questions, "hybrid", vectors, "hybrid (RRF of all three)"),
    ]


def format_table(rows: Sequence[RetrievalScores]) -> str:
    """A Markdown table, one row per mode."""
    lines = ["| retrieval | questions | R@1 | R@5 | MRR@10 |", "|---|---|---|---|---|"]
    lines += [f"| {r.mode} | {r.n} | {r.recall_at_1:.3f} | {r.recall_at_5:.3f} | {r.mrr:.3f} |"
              for r in rows]
    return "\n".join(lines)


def format_report(rows: Sequence[RetrievalScores], n_questions: int, elapsed_s: float) -> str:
    """The side-by-side table, the run's size and each mode's misses at 5, as text."""
    lines = [format_table(rows), "",
             f"{n_questions} answerable questions, {len(rows)} modes in {elapsed_s:.1f} s"]
    lines += [f"  {row.mode}: missed at 5: {', '.join(row.misses) or '-'}" for row in rows]
    return "\n".join(lines)
