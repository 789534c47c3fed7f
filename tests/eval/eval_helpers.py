"""A scripted stand-in for rag.pipeline.Pipeline and a small question set, for the eval tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rag.config import Settings
from rag.errors import LLMError, RagError
from rag.eval.questions import QuestionItem, Turn
from rag.records import Answer, Citation, Hit, Paragraph

ABSTAIN = "抱歉，现有文章中没有找到这个问题的答案。"
GOLD = "全区各校召开线上或线下家长会62次，组织开展丰富多彩的活动。"
CHIEF = "天元区教育局局长龙超俊说，家校合作是一种跨界交流。"
OTHER = "隆回交警发放宣传资料20000余份。"


def _para(pid: str, text: str) -> Paragraph:
    return Paragraph(paragraph_id=pid, article_id=pid.split("#")[0], article_title="家校同携手",
                     n=0, text=text, norm=text)


PARAS = {"a#p1": _para("a#p1", GOLD), "a#p2": _para("a#p2", CHIEF), "b#p0": _para("b#p0", OTHER)}


def _hit(pid: str, score: float) -> Hit:
    return Hit(paragraph=PARAS[pid], chunk_id=f"{pid}#c0", chunk_text=PARAS[pid].text, score=score)


def _cite(pid: str) -> Citation:
    p = PARAS[pid]
    return Citation(n=1, article_id=p.article_id, article_title=p.article_title,
                    paragraph_id=pid, text=p.text, quote=p.text, score=1.0)


class FakePipeline:
    """Scripted answers per question; retrieval order depends on the mode; records every call."""

    def __init__(self, settings: Settings, script: dict[str, tuple[str, str | None]],
                 calls: list[tuple[Any, ...]] | None = None) -> None:
        self.settings = settings
        self.script = script  # question -> (answer text, cited paragraph id or None = abstain)
        self.calls: list[tuple[Any, ...]] = [] if calls is None else calls

    def ask(self, question: str, history: Sequence[Turn] = (), top_k: int | None = None,
            mode: str | None = None) -> Answer:
        self.calls.append(("ask", question, list(history), mode, self.settings.retrieval.mode))
        if question not in self.script:
            raise LLMError("endpoint down")
        text, pid = self.script[question]
        standalone = "家长会开了几次" if history else ""
        if pid is None:
            return Answer(question=question, answer=ABSTAIN, abstained=True,
                          standalone_question=standalone)
        return Answer(question=question, answer=text, abstained=False, citations=(_cite(pid),),
                      standalone_question=standalone)

    def search(self, query: str, k: int = 5, mode: str | None = None) -> list[Hit]:
        self.calls.append(("search", query, k, mode))
        if query == "boom":
            raise RagError("search failed")
        order = ["a#p2", "a#p1", "b#p0"] if mode == "keyword" else ["a#p1", "a#p2", "b#p0"]
        return [_hit(pid, 1.0 / (i + 1)) for i, pid in enumerate(order)][:k]

    def with_settings(self, settings: Settings) -> FakePipeline:
        return FakePipeline(settings, self.script, self.calls)


NUMBER = QuestionItem(id="q1", question="天元区开了多少次家长会？", answers=("62次",),
                      evidence=("家长会62次",), type="number")
PERSON = QuestionItem(id="q2", question="局长是谁？", answers=("龙超俊",),
                      evidence=("局长龙超俊",), type="person")
FOLLOW = QuestionItem(id="q3", question="那开了几次？", answers=("62",), evidence=("家长会62次",),
                      type="followup", history=(Turn(role="user", content="天元区家长会"),
                                                Turn(role="assistant", content="……")))
UNANS = QuestionItem(id="q4", question="天元区有多少所小学？", type="unanswerable")
ITEMS = [NUMBER, PERSON, FOLLOW, UNANS]
SCRIPT: dict[str, tuple[str, str | None]] = {
    NUMBER.question: ("全区各校召开家长会62次[1]", "a#p1"),
    PERSON.question: ("", None),  # a false refusal
    FOLLOW.question: ("62次[1]", "a#p1"),
    UNANS.question: ("", None),
}
