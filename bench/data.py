"""The benchmark's documents and queries: the first N reports of the 68k-news JSONL, or the bundled
corpus with its hand-written questions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rag.eval.questions import QuestionItem, load_questions
from rag.records import Article

DEFAULT_JSONL = Path("../shared/bench/crud-news.jsonl.xz")
_SENTENCE = re.compile(r"[^。！？!?]{12,60}[。！？!?]")


@dataclass(frozen=True)
class Workload:
    """Articles to index and queries to time; `targets[i]` is the article query i was taken from
    (None for hand-written questions), which gives a rough known-item hit rate."""

    name: str
    articles: tuple[Article, ...]
    queries: tuple[str, ...]
    targets: tuple[str | None, ...]
    gold: tuple[QuestionItem, ...] = ()  # questions with gold answers, for ask accuracy


def load_jsonl(path: Path, limit: int) -> list[Article]:
    """The first `limit` articles of a JSONL corpus (streamed; malformed lines skipped)."""
    from rag.ingest import iter_jsonl_articles

    return list(iter_jsonl_articles(path, limit=limit, problems=[]))


def known_item_queries(articles: list[Article], n: int) -> tuple[list[str], list[str | None]]:
    """`n` queries, each a sentence of an evenly spaced article with its ending and first
    characters cut (so it is not a verbatim prefix), paired with that article's id."""
    queries: list[str] = []
    targets: list[str | None] = []
    if not articles or n <= 0:
        return queries, targets
    step = max(1, len(articles) // n)
    for article in articles[::step]:
        text = " ".join(p.text for p in article.paragraphs)
        found = _SENTENCE.findall(text)
        if not found:
            continue
        sentence = found[len(found) // 2]
        queries.append(sentence[2:-1].strip())
        targets.append(article.article_id)
        if len(queries) >= n:
            break
    return queries, targets


def jsonl_workload(path: Path, docs: int, n_queries: int, questions: Path | None = None) -> Workload:
    """The first `docs` reports and known-item queries over them; with `questions` (a question set
    written about these reports), its history-free questions as gold for ask accuracy."""
    articles = load_jsonl(path, docs)
    queries, targets = known_item_queries(articles, n_queries)
    gold = tuple(q for q in load_questions(questions) if not q.history) if questions else ()
    return Workload(f"jsonl-{len(articles)}", tuple(articles), tuple(queries), tuple(targets), gold)


def bundled_workload(corpus_dir: Path, questions: Path, n_queries: int) -> Workload:
    """The bundled corpus folder and the question set of eval/ (history-free questions only)."""
    from rag.ingest import load_corpus

    articles = load_corpus(corpus_dir).articles
    gold = tuple(q for q in load_questions(questions) if not q.history) if questions.is_file() else ()
    qs = [q.question for q in gold][:n_queries]
    return Workload("bundled", tuple(articles), tuple(qs), tuple(None for _ in qs), gold)
