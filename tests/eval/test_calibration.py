"""Fitting the calibration: drafts collected uncalibrated and labelled by the eval's matching,
what each threshold would do, and the crud-train corpus drawn reproducibly."""

from __future__ import annotations

import json
import lzma
from pathlib import Path
from types import SimpleNamespace

from answer.conftest import KeywordRetriever

from rag.answer.calibrate import Calibrator
from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.tokenize import Tokenizer
from rag.config import Settings
from rag.eval.calibration import Row, collect, threshold_table, train
from rag.eval.questions import QuestionItem
from rag.eval.sets import derive_train_corpus


def _pipeline(settings: Settings) -> SimpleNamespace:
    retriever = KeywordRetriever()
    never = Calibrator(weights={}, bias=-5.0, mean={}, scale={})
    reader = ExtractiveAnswerer(settings, tokenizer=Tokenizer(), calibrator=never)
    return SimpleNamespace(settings=settings, chain=SimpleNamespace(extractive=reader),
                           search=lambda q, k: retriever.search(q, k))


def test_collect_reads_uncalibrated_and_labels_with_the_eval_matching(tmp_path: Path) -> None:
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "i")
    items = [QuestionItem(id="a", question="天元区的学校开了多少次家长会？", answers=("62次",)),
             QuestionItem(id="b", question="天元区教育局局长是谁？", answers=("张三",)),
             QuestionItem(id="c", question="2019年天元区开了多少次家长会？", type="unanswerable")]
    pipeline = _pipeline(settings)
    rows = {r.id: r for r in collect(pipeline, items)}
    assert pipeline.chain.extractive.calibrator is not None  # put back afterwards
    assert rows["a"].answered and rows["a"].right and rows["a"].feats
    assert rows["b"].answered and not rows["b"].right  # answered 龙超俊, gold says otherwise
    assert rows["c"].unanswerable and not rows["c"].right


def test_threshold_table_counts_refusals() -> None:
    rows = [Row("r", False, True, True, {"quote_coverage": 1.0}),
            Row("w", False, True, False, {"quote_coverage": 0.0}),
            Row("u", True, True, False, {"quote_coverage": 0.0}),
            Row("x", False, False, False, None)]
    model = Calibrator(weights={"quote_coverage": 10.0}, bias=-5.0, mean={}, scale={})
    at = {t["threshold"]: t for t in threshold_table(model, rows, thresholds=(0.0, 0.5))}
    assert at[0.0]["accuracy"] == 1 / 3 and at[0.0]["answerable_refused"] == 1 / 3
    assert at[0.0]["unanswerable_refused"] == 0.0
    assert at[0.5]["accuracy"] == 1 / 3 and at[0.5]["answerable_refused"] == 2 / 3
    assert at[0.5]["unanswerable_refused"] == 1.0
    fitted = train(rows * 5)
    assert fitted.weights["quote_coverage"] > 0


def test_the_train_corpus_is_gold_plus_seeded_distractors(tmp_path: Path) -> None:
    def jsonl(path: Path, rows: list[dict]) -> Path:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        return path

    train = jsonl(tmp_path / "train.jsonl", [{"id": "t", "gold_docs": ["g1"], "dup_docs": ["d1"]}])
    dev = jsonl(tmp_path / "dev.jsonl", [{"id": "v", "gold_docs": ["g2"], "support_docs": ["g2"]}])
    reports = tmp_path / "news.jsonl.xz"
    with lzma.open(reports, "wt", encoding="utf-8") as fh:
        for i in ("g1", "g2", "d1", "short", *(f"n{k}" for k in range(20))):
            text = "短" if i == "short" else f"{i} 的报道正文，足够长的一段新闻文字。" * 3
            fh.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
    out = derive_train_corpus(train, dev, reports, tmp_path / "out.jsonl.xz", distractors=5)
    with lzma.open(out, "rt", encoding="utf-8") as fh:
        ids = [json.loads(line)["id"] for line in fh]
    assert "g1" in ids and len(ids) == 6 and not {"g2", "d1", "short"} & set(ids)
    again = derive_train_corpus(train, dev, reports, tmp_path / "again.jsonl.xz", distractors=5)
    with lzma.open(again) as a, lzma.open(out) as b:
        assert a.read() == b.read()
