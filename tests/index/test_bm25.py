from pathlib import Path

import numpy as np
import pytest

from rag.index.bm25 import Bm25
from rag.index.keyword import _norm, bigram_postings, bigram_tokens

DOCS = [["家长", "会议", "家长"], ["能源", "投资", "能源", "能源"], [], ["会议", "投资"], ["家长"]]


def test_scores_equal_bm25s_lucene() -> None:
    bm25s = pytest.importorskip("bm25s")
    docs = [d for d in DOCS if d]  # bm25s cannot index an empty document
    ours = Bm25.build(docs)
    ref = bm25s.BM25()
    ref.index(docs, show_progress=False)
    for query in (["家长"], ["能源", "投资"], ["会议", "家长", "家长"]):
        assert np.allclose(ours.scores(query), ref.get_scores(query), atol=1e-6)


def test_unknown_tokens_score_zero_and_top_skips_zeros() -> None:
    index = Bm25.build(DOCS)
    assert not index.scores(["没有"]).any()
    assert index.top(["没有"], 3) == []
    top = index.top(["投资"], 10)
    assert [d for d, _ in top] in ([1, 3], [3, 1]) and len(top) == 2


def test_top_is_ordered_with_ties_broken_by_document() -> None:
    index = Bm25.build([["a"], ["a"], ["a"], ["b"]])
    assert [d for d, _ in index.top(["a"], 2)] == [0, 1]
    assert [d for d, _ in index.top(["a"], 5)] == [0, 1, 2]


def test_save_load_round_trip_and_damage(tmp_path: Path) -> None:
    index = Bm25.build(DOCS)
    index.save(tmp_path / "x")
    again = Bm25.load(tmp_path / "x")
    assert np.array_equal(again.scores(["家长", "投资"]), index.scores(["家长", "投资"]))
    np.save(tmp_path / "x" / "indices.npy", np.array([99], dtype=np.int32))
    with pytest.raises(ValueError):
        Bm25.load(tmp_path / "x")


def test_empty_corpus() -> None:
    index = Bm25.build([])
    assert index.scores(["家长"]).shape == (0,)
    assert index.top(["家长"], 3) == []


def test_vectorised_bigrams_equal_the_tokenizer() -> None:
    texts = ["天元区教育局局长龙超俊说，家校共育是长期工作。", "", "a", "家", "ＡＢ家长会62次，12.5万元",
             "COVID-19疫情下的5G网络", "﨑山（人名）与 v-nand 闪存", "一\n二三"]
    doc, term, vocab = bigram_postings([_norm(t) for t in texts])
    words = {i: w for w, i in vocab.items()}
    for d, text in enumerate(texts):
        got = sorted(words[t] for t in term[doc == d].tolist())
        assert got == sorted(bigram_tokens(text)), text
