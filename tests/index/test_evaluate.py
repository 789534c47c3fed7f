import json
from pathlib import Path

from index_helpers import sample_articles

from rag.config import Settings
from rag.index.builder import build_index, load_index
from rag.index.embedders import FakeEmbedder
from rag.index.evaluate import compare_modes, format_table, load_retrieval_questions


def test_side_by_side_table_on_a_tiny_question_set(fake_settings: Settings, tmp_path: Path) -> None:
    rows = [
        {"id": "q1", "question": "全区各校召开了多少次家长会？", "evidence": ["家长会62次"]},
        {"id": "q2", "question": "能源站总投资多少？", "evidence": ["总投资约5亿元"]},
        {"id": "q3", "question": "没有答案的问题", "evidence": []},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    questions = load_retrieval_questions(path)
    assert [q.qid for q in questions] == ["q1", "q2"]
    emb = FakeEmbedder()
    build_index(fake_settings, sample_articles(), emb)
    scores = compare_modes(load_index(fake_settings, emb), emb, fake_settings, questions)
    assert len(scores) == 5 and all(s.n == 2 for s in scores)
    hybrid = scores[-1]
    assert hybrid.recall_at_5 == 1.0 and hybrid.mrr > 0.5
    assert "| hybrid" in format_table(scores)
