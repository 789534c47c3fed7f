"""Named sets point the pipeline at their own corpus and index, and say what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings
from rag.errors import EvalError
from rag.eval.sets import resolve_set, settings_for


def test_external_set_resolves_to_its_corpus_and_its_own_index(tmp_path: Path) -> None:
    (tmp_path / "rgb-zh").mkdir()
    for name in ("dev.jsonl", "corpus.jsonl"):
        (tmp_path / "rgb-zh" / name).write_text("", encoding="utf-8")
    s = Settings(eval={"datasets_dir": tmp_path, "index_root": tmp_path / "idx"})
    rgb = resolve_set("rgb-dev", s)
    assert rgb.questions == tmp_path / "rgb-zh/dev.jsonl"
    moved = settings_for(rgb, s)
    assert (moved.corpus_dir, moved.index_dir) == (tmp_path / "rgb-zh/corpus.jsonl", tmp_path / "idx/rgb-dev")


def test_missing_files_and_unknown_names_are_clear_errors(tmp_path: Path) -> None:
    s = Settings(eval={"datasets_dir": tmp_path})
    with pytest.raises(EvalError, match="RAG_EVAL__DATASETS_DIR"):
        resolve_set("crud-dev", s)
    with pytest.raises(EvalError, match="unknown set"):
        resolve_set("nope", s)
    assert resolve_set("bundled", s).index_dir == s.index_dir
