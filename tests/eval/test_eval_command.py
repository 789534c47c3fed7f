"""`rag eval` end to end: with a scripted pipeline, and on a tiny corpus with the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eval_helpers import ITEMS, PERSON, SCRIPT, FakePipeline

from rag.cli import main
from rag.config import Settings


def _write_questions(path: Path, items: Any) -> Path:
    path.write_text("\n".join(i.model_dump_json() for i in items) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    """Pipeline.open replaced by the scripted fake; records the settings it was opened with."""
    seen: list[Settings] = []

    def open_(settings: Settings, **_: Any) -> FakePipeline:
        seen.append(settings)
        return FakePipeline(settings, dict(SCRIPT))

    monkeypatch.setattr("rag.pipeline.Pipeline.open", open_)
    return seen


def test_default_output_is_a_markdown_table_with_failures(
        opened: list[Settings], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    q = _write_questions(tmp_path / "q.jsonl", ITEMS)
    assert main(["--model", "fake", "eval", "--questions", str(q), "-q"]) == 0
    out = capsys.readouterr().out
    assert "| overall |" in out and "R@5" in out and "abst R" in out
    assert "**q2**" in out  # the false refusal is listed with what was retrieved
    assert "retrieved: a#p1, **a#p2**" in out


def test_json_limit_and_options_after_the_subcommand(
        opened: list[Settings], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    q = _write_questions(tmp_path / "q.jsonl", ITEMS)
    code = main(["--model", "fake", "--corpus", "theirs", "eval", "--questions", str(q),
                 "--index-dir", str(tmp_path / "x"), "--limit", "2", "--json", "-q"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["overall"]["n"] == 2 and [r["id"] for r in doc["rows"]] == ["q1", "q2"]
    assert opened[0].corpus_dir == Path("theirs") and opened[0].index_dir == tmp_path / "x"


def test_check_floors_and_fail_under_accuracy_set_the_exit_code(
        opened: list[Settings], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    q = _write_questions(tmp_path / "q.jsonl", ITEMS)
    assert main(["--model", "fake", "eval", "--questions", str(q), "-q", "--check-floors"]) == 1
    assert "FAIL answer_accuracy" in capsys.readouterr().err
    base = ["--model", "fake", "eval", "--questions", str(q), "-q"]
    assert main([*base, "--fail-under-accuracy", "0.6"]) == 0
    assert main([*base, "--fail-under-accuracy", "0.7"]) == 1


def test_compare_prints_one_table_and_writes_reports(
        opened: list[Settings], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    q = _write_questions(tmp_path / "q.jsonl", ITEMS)
    out_dir = tmp_path / "reports"
    argv = ["--model", "fake", "eval", "--questions", str(q), "-q", "--compare",
            "--report", str(out_dir)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "| metric | keyword | dense | hybrid |" in out
    assert {p.name for p in out_dir.iterdir()} == {
        "report.md", "report.html", "report.json", "compare.md", "compare.json"}
    assert json.loads((out_dir / "report.json").read_text())["meta"]["retrieval_mode"] == "hybrid"


def test_modes_side_by_side_report_each_mode_and_the_best_of_them(
        opened: list[Settings], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    q = _write_questions(tmp_path / "q.jsonl", ITEMS)
    out_dir = tmp_path / "reports"
    argv = ["--model", "fake", "eval", "--questions", str(q), "-q", "--modes",
            "extractive, auto,local", "--report", str(out_dir)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "| metric | hybrid | hybrid+auto | hybrid+local |" in out
    # the scripted pipeline answers q1 and q3 right in every mode and refuses q2: 2 of 3
    assert "Best of the columns per question (answerable, n=3): answer accuracy 66.7%" in out
    doc = json.loads((out_dir / "compare.json").read_text())
    assert doc["setups"] == ["hybrid", "hybrid+auto", "hybrid+local"]
    assert doc["best_of_answer_accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert json.loads((out_dir / "report.json").read_text())["meta"]["answer_mode"] == "extractive"


@pytest.mark.parametrize("modes", ["extractive", "extractive,guess", "auto,auto"])
def test_modes_needs_two_known_modes(opened: list[Settings], tmp_path: Path, modes: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    q = _write_questions(tmp_path / "q.jsonl", ITEMS)
    assert main(["--model", "fake", "eval", "--questions", str(q), "-q", "--modes", modes]) == 1
    assert "--modes takes two or more" in capsys.readouterr().err
    assert opened == []


def test_sample_spreads_over_the_set(opened: list[Settings], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    q = _write_questions(tmp_path / "q.jsonl", ITEMS)
    assert main(["--model", "fake", "eval", "--questions", str(q), "-q", "--json",
                 "--sample", "2"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in doc["rows"]] == ["q1", "q3"]  # not the first two lines


def test_llm_mode_without_an_endpoint_is_refused_before_opening(
        opened: list[Settings], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    q = _write_questions(tmp_path / "q.jsonl", [PERSON])
    assert main(["--model", "fake", "eval", "--questions", str(q), "--mode", "llm"]) == 1
    assert "RAG_ANSWER__LLM_BASE_URL" in capsys.readouterr().err
    assert opened == []


def test_a_malformed_question_set_is_an_error(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "?", "answers": [""]}\n', encoding="utf-8")
    assert main(["--model", "fake", "eval", "--questions", str(bad)]) == 1
    assert "line 1" in capsys.readouterr().err


TINY_CORPUS = {
    "jiaxiao.md": "# 家校同携手 护航成长路\n\n"
    "天元区教育局局长龙超俊说，家校合作是一场跨界交流。\n\n"
    "2021至2022学年以来，全区各校召开线上或线下家长会62次。\n",
    "jiaojing.md": "# 隆回交警进校园\n\n"
    "开学以来，隆回交警共开展交通安全宣传19场次，发放宣传资料20000余份。\n",
}
TINY_QUESTIONS = [
    {"id": "t1", "question": "天元区各校召开了多少次家长会？", "answers": ["62次", "62"],
     "evidence": ["家长会62次"], "type": "number"},
    {"id": "t2", "question": "隆回交警发放了多少份宣传资料？", "answers": ["20000", "2万"],
     "evidence": ["发放宣传资料20000余份"], "type": "number"},
    {"id": "t3", "question": "天元区教育局有多少名工作人员？", "type": "unanswerable"},
]


def test_an_evaluators_own_corpus_and_questions_need_no_code(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("rag.answer.chain", reason="the answer chain has not landed yet")
    corpus = tmp_path / "theirs"
    corpus.mkdir()
    for name, text in TINY_CORPUS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    q = tmp_path / "theirs.jsonl"
    q.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in TINY_QUESTIONS) + "\n",
                 encoding="utf-8")
    argv = ["--corpus", str(corpus), "--index-dir", str(tmp_path / "idx"), "--model", "fake",
            "eval", "--questions", str(q), "--json", "-q"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["overall"]["n"] == 3 and doc["overall"]["errors"] == 0
    assert doc["overall"]["recall_at_5"] == 1.0
    assert (tmp_path / "idx").is_dir()
    assert main(argv) == 0  # second run reuses the index (same fingerprint)
    assert json.loads(capsys.readouterr().out)["overall"]["recall_at_5"] == 1.0
