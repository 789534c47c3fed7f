"""`rag index`: an unchanged corpus is reported without loading the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rag import cli
from rag.index.embedders import FakeEmbedder

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_an_unchanged_corpus_does_not_load_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from rag.index import embedders
    from rag.index.embedders import sentence_transformer

    argv = ["--model", "fake", "--corpus", str(CORPUS), "--index-dir", str(tmp_path / "idx"), "index"]
    assert cli.main(argv) == 0
    assert "embedded now" in capsys.readouterr().out

    def no_model(*_: Any) -> Any:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(sentence_transformer, "expected_fingerprint", lambda _s: FakeEmbedder().fingerprint)
    monkeypatch.setattr(embedders, "make_embedder", no_model)
    assert cli.main(argv) == 0
    assert "index up to date" in capsys.readouterr().out

    # a changed corpus (or an unknown fingerprint) goes the normal way: the model is loaded
    monkeypatch.setattr(sentence_transformer, "expected_fingerprint", lambda _s: "sha256:other")
    with pytest.raises(AssertionError, match="the model was loaded"):
        cli.main(argv)
