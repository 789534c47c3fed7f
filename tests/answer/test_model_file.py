"""The fitted models' files: absent is None, damaged is a ConfigError naming the file, and a
pipeline given a damaged one says so instead of failing deep inside the reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answer.calibrate import load_calibrator
from rag.answer.chain import build_chain
from rag.answer.lead import load_lead
from rag.answer.ranker import load_ranker
from rag.answer.span import load_span
from rag.config import Settings
from rag.errors import ConfigError

LOADERS = [load_ranker, load_calibrator, load_lead, load_span]
DAMAGED = ["", "{not json", "[1, 2]", '{"weights": [1, 2], "mean": {}, "scale": {}, "bias": 0}',
           '{"weights": {"a": "x"}, "mean": {}, "scale": {}, "bias": 0}', '{"mean": {}}']


@pytest.mark.parametrize("load", LOADERS)
def test_the_packaged_model_loads_and_a_missing_file_is_none(load, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert load() is not None
    assert load(tmp_path / "nothing.json") is None


@pytest.mark.parametrize("load", LOADERS)
@pytest.mark.parametrize("text", DAMAGED)
def test_a_damaged_file_is_a_config_error_naming_it(load, text: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "model.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load(path)
    assert str(path) in err.value.message and "damaged" in err.value.message
    assert err.value.hint and "rag train-" in err.value.hint


def test_a_chain_with_a_damaged_ranker_file_fails_with_that_error(tmp_path: Path) -> None:
    bad = tmp_path / "ranker.json"
    bad.write_bytes(b"\xff\xfe not text")
    settings = Settings()
    settings = settings.model_copy(update={"answer": settings.answer.model_copy(
        update={"ranker_file": bad})})
    with pytest.raises(ConfigError, match="ranker model"):
        build_chain(settings, retriever=object())  # type: ignore[arg-type]
