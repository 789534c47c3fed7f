"""A small in-memory pipeline with the real contract, for tests that must not depend on the index."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from rag.errors import NotFoundError
from rag.records import Answer, Article, Citation, Hit, Paragraph, Turn
from rag.validate import check_question


def _article(article_id: str, title: str, texts: list[str]) -> Article:
    paras = tuple(Paragraph(paragraph_id=f"{article_id}#p{n}", article_id=article_id, article_title=title,
                            n=n, text=t, norm=t) for n, t in enumerate(texts))
    return Article(article_id=article_id, title=title, paragraphs=paras)


ARTICLES = (
    _article("jiaxiao", "家校同携手 护航成长路", [
        "2022年，天元区将“家长学校”建设项目纳入2022年度区政府民生实事人大代表票决项目。",
        "天元区教育局局长龙超俊说，家校合作是一场跨界交流。全区各校召开线上或线下家长会62次。",
    ]),
    _article("jiaojing", "隆回交警进校园", [
        "开学以来，隆回交警共开展交通安全宣传19场次，发放宣传资料20000余份。",
    ]),
)


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"\W", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)}


class FakePipeline:
    """Bigram-overlap retrieval and a one-sentence extractive answer; same methods as Pipeline."""

    def __init__(self, articles: Sequence[Article] = ARTICLES, max_chars: int = 500) -> None:
        self._articles = {a.article_id: a for a in articles}
        self.max_chars = max_chars
        self.calls: list[tuple[str, Any]] = []

    def _check(self, text: str) -> str:
        return check_question(text, self.max_chars)  # the pipeline's own check

    def search(self, query: str, k: int = 5, mode: str | None = None, filters: Any = None) -> list[Hit]:
        query = self._check(query)
        q = _bigrams(query)
        scored = [(len(q & _bigrams(p.text)) / (len(q) or 1), p)
                  for a in self._articles.values() for p in a.paragraphs]
        scored.sort(key=lambda sp: -sp[0])
        return [Hit(paragraph=p, chunk_id=f"{p.paragraph_id}#c0", chunk_text=p.text, score=s, dense_score=s)
                for s, p in scored[:k] if s > 0]

    def ask(self, question: str, history: Sequence[Turn] = (), top_k: int | None = None,
            mode: str | None = None, filters: Any = None) -> Answer:
        self.calls.append(("ask", {"question": question, "history": [t.model_dump() for t in history],
                                  "mode": mode}))
        question = self._check(question)
        hits = self.search(question, k=top_k or 3)
        cites = tuple(Citation(n=i + 1, article_id=h.paragraph.article_id, article_title=h.paragraph.article_title,
                               paragraph_id=h.paragraph.paragraph_id, text=h.paragraph.text,
                               quote=re.split(r"(?<=[。！？])", h.paragraph.text)[0], score=h.score)
                      for i, h in enumerate(hits))
        if not hits or hits[0].score < 0.2:
            return Answer(question=question, answer="抱歉，现有文章中没有找到这个问题的答案。", abstained=True,
                          related=cites, mode=mode or "extractive", timings_ms={"total": 1.0})
        return Answer(question=question, answer=f"{cites[0].quote}[1]", abstained=False, citations=cites[:1],
                      mode=mode or "extractive", timings_ms={"total": 1.0})

    def stream(self, question: str, history: Sequence[Turn] = (), top_k: int | None = None,
               mode: str | None = None, filters: Any = None) -> Iterator[str | Answer]:
        answer = self.ask(question, history, top_k, mode)
        for i in range(0, len(answer.answer), 4):
            yield answer.answer[i:i + 4]
        yield answer

    def articles(self) -> list[Article]:
        return list(self._articles.values())

    def article(self, article_id: str) -> Article:
        try:
            return self._articles[article_id]
        except KeyError:
            raise NotFoundError(f"no article with id {article_id!r}") from None

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "articles": len(self._articles), "model": "fake"}
