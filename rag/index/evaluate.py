"""Retrieval quality on a question set: recall@1, recall@5 and MRR@10 per mode, side by side.

Run: rag index --evaluate eval/questions.jsonl
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.errors import EvalError
from rag.index.embedders import Embedder
from rag.index.loaded import LoadedIndex
from rag.ingest import normalize_text
from rag.records import Hit

MRR_DEPTH = 10


@dataclass(frozen=True)
class RetrievalQuestion:
    """A question with the exact substrings of its gold paragraph."""

    qid: str
    question: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class RetrievalScores:
    """One mode's figures over the answerable questions."""

    mode: str
    n: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    misses: tuple[str, ...] = ()


def load_retrieval_questions(path: Path) -> list[RetrievalQuestion]:
    """Answerable questions (non-empty evidence) from a questions.jsonl file."""
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalError(f"cannot read {path}: {exc}") from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except ValueError as exc:
            raise EvalError(f"{path}:{n}: not JSON ({exc})") from exc
        evidence = tuple(e for e in doc.get("evidence") or () if e.strip())
        if evidence:
            out.append(RetrievalQuestion(str(doc.get("id", n)), doc["question"], evidence))
    return out


def gold_rank(hits: Sequence[Hit], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first hit whose paragraph contains any evidence string (normalised)."""
    needles = [normalize_text(e) for e in evidence]
    for rank, hit in enumerate(hits, start=1):
        text = normalize_text(hit.paragraph.text)
        if any(n and n in text for n in needles):
            return rank
    return None


def score_mode(retriever: object, questions: Sequence[RetrievalQuestion], mode: str,
               vectors: np.ndarray | None = None, label: str | None = None) -> RetrievalScores:
    """Recall@1, recall@5 and MRR@10 of one retrieval mode (query vectors reused when given)."""
    ranks = []
    for i, q in enumerate(questions):
        hits = retriever.search(q.question, k=MRR_DEPTH, mode=mode,  # type: ignore[attr-defined]
                                query_vector=None if vectors is None else vectors[i])
        ranks.append(gold_rank(hits, q.evidence))
    n = max(len(ranks), 1)
    return RetrievalScores(
        mode=label or mode, n=len(ranks),
        recall_at_1=sum(r == 1 for r in ranks) / n,
        recall_at_5=sum(r is not None and r <= 5 for r in ranks) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
        misses=tuple(q.qid for q, r in zip(questions, ranks, strict=True) if not r or r > 5),
    )


def compare_modes(index: LoadedIndex, embedder: Embedder, settings: Settings,
                  questions: Sequence[RetrievalQuestion]) -> list[RetrievalScores]:
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
