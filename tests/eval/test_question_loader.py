"""An evaluator's own set loads as it is: unknown types are labels, extra fields pass through."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.errors import EvalError
from rag.eval.questions import load_questions
from rag.eval.results import build_report, plain_answer, score_question
from rag.records import Answer, Hit, Paragraph


def _write(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_unknown_type_and_extra_fields_are_kept(tmp_path: Path) -> None:
    path = _write(tmp_path, [
        {"id": "g1", "question": "首趟班列的起点？", "answers": ["南宁"], "type": "rgb"},
        {"id": "c1", "question": "启明行动发布了什么文件？", "answers": ["《十条》"],
         "gold_docs": ["crud-1"], "task": "1doc", "group": "g-1"},
        {"id": "u1", "question": "RCEP包括哪些国家", "answers": [], "type": "unanswerable"},
        {"id": "u2", "question": "没有答案的问题", "answers": []},
    ])
    g1, c1, u1, u2 = load_questions(path)
    assert (g1.type, g1.unanswerable) == ("rgb", False)
    assert (c1.type, c1.gold_docs, c1.extras) == ("answerable", ("crud-1",), {"task": "1doc", "group": "g-1"})
    assert u1.unanswerable and u2.unanswerable and u2.type == "unanswerable"


def test_our_types_still_need_evidence(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"id": "q1", "question": "多少次？", "answers": ["62次"], "type": "number"}])
    with pytest.raises(EvalError, match="line 1.*evidence"):
        load_questions(path)


def _hit(article_id: str, text: str) -> Hit:
    p = Paragraph(paragraph_id=f"{article_id}#p0", article_id=article_id, article_title="t", n=0, text=text, norm=text)
    return Hit(paragraph=p, chunk_id=f"{article_id}#c0", chunk_text=text, score=1.0)


def test_rows_score_gold_docs_direct_and_length(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"id": "c1", "question": "开了多少次家长会？", "answers": ["62次"],
                              "gold_docs": ["b"], "task": "1doc"}])
    item = load_questions(path)[0]
    hits = [_hit("a", "无关的段落。"), _hit("b", "全区各校召开家长会62次。")]
    lead = Answer(question=item.question, answer="62次[1]。全区各校召开家长会62次[1]。", abstained=False)
    late = Answer(question=item.question, answer="据报道，" + "全区各校在这一学年里认真组织，" * 3
                  + "召开家长会62次[1]。", abstained=False)
    r1, r2 = score_question(item, lead, hits, 1.0), score_question(item, late, hits, 1.0)
    assert (r1.gold_rank, r1.answer_rank, r1.correct, r1.direct) == (2, 2, True, True)
    assert (r2.correct, r2.direct) == (True, False)
    assert r1.answer_chars == len(plain_answer(lead.answer)) and r1.extras == {"task": "1doc"}
    report = build_report([r1, r2])
    assert report.overall.direct_rate == 0.5 and report.overall.answer_recall_at_5 == 1.0
    assert report.rows[0].extras == {"task": "1doc"}
