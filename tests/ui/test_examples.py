"""The UI's example questions are ones the served corpus answers."""

from __future__ import annotations

from pathlib import Path

from api.serving import make_settings

from rag.pipeline import Pipeline
from rag.ui.examples import answerable_examples


def test_examples_are_questions_this_corpus_answers(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    bundled = answerable_examples(Pipeline.open(settings), 4)
    assert len(bundled) == 4 and all(q in settings.server.example_questions for q in bundled[:2])
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.md").write_text("# 湘江大桥建成通车\n\n3月2日，湘江大桥正式通车，全长1.2公里。\n", encoding="utf-8")
    s2 = settings.model_copy(update={"corpus_dir": other, "index_dir": tmp_path / "index2"})
    p2 = Pipeline.open(s2)
    examples = answerable_examples(p2, 4)
    assert examples == ["“湘江大桥建成通车”说了什么？"]  # none of the configured ones: they are about another page
    assert not p2.ask(examples[0]).abstained


def test_a_stand_in_without_settings_offers_none() -> None:
    assert answerable_examples(object(), 4) == []
