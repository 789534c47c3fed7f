"""`rag add`, `rag remove`, `rag articles` on a private corpus copy with the fake embedder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rag.cli import main

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def argv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    monkeypatch.setenv("RAG_MODEL__NAME", "fake")
    return ["--corpus", str(tmp_path / "corpus"), "--index-dir", str(tmp_path / "index")]


def _ids(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main([*argv, "articles", "--json"]) == 0
    return [a["article_id"] for a in json.loads(capsys.readouterr().out)]


def test_add_remove_list(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "news.jsonl"
    doc.write_text(json.dumps({"id": "cli-1", "title": "岳麓山新步道", "text": "岳麓山新修步道三公里。",
                               "source": "长沙晚报", "published": "2024-06-01"}, ensure_ascii=False)
                   + "\n", encoding="utf-8")
    assert main([*argv, "add", str(doc), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["article_ids"] == ["cli-1"] and report["chunks"]["embedded"] == 1
    assert (tmp_path / "corpus" / "added" / "news.jsonl").is_file()
    ids = _ids(argv, capsys)
    assert "cli-1" in ids and len(ids) == 8
    assert main([*argv, "ask", "岳麓山新修步道多少公里？", "--json"]) == 0
    assert "三公里" in capsys.readouterr().out
    assert main([*argv, "remove", "cli-1", ids[0]]) == 0
    assert "removed 2 article(s)" in capsys.readouterr().out
    assert not (tmp_path / "corpus" / "added" / "news.jsonl").exists()
    assert _ids(argv, capsys) == ids[1:-1]
    # the index matches the corpus folder: a plain `rag index` has nothing to do
    assert main([*argv, "index"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_refusals(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF")
    assert main([*argv, "add", str(bad)]) == 1
    assert "not read" in capsys.readouterr().err
    assert main([*argv, "remove", "no-such-id"]) == 1
    assert "no article with id" in capsys.readouterr().err
    assert main([*argv, "add", str(tmp_path / "missing.md")]) == 1
    assert not (tmp_path / "corpus" / "added").exists()
