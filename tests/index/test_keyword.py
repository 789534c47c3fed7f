from pathlib import Path

from rag.index.keyword import KeywordIndex, bigram_tokens

IDS = ["a", "b", "c"]
TEXTS = ["天元区教育局局长龙超俊说，家校共育是长期工作。",
         "全区各校召开线上或线下家长会62次。",
         "长沙滨江能源站今天正式投产，总投资约5亿元。"]


def test_bigrams_of_chinese_and_whole_ascii_words() -> None:
    assert bigram_tokens("家长会62次，ＡＢ") == ["家长", "长会", "62", "次", "ab"]


def test_both_variants_find_chinese(tmp_path: Path) -> None:
    index = KeywordIndex.build(IDS, TEXTS)
    assert index.search("家长会开了多少次", 3, "words")[0][0] == "b"
    assert index.search("能源站的总投资", 3, "bigrams")[0][0] == "c"
    assert index.search("龙超俊", 3, "words")[0][0] == "a"
    assert index.search("hello world", 3, "bigrams") == []


def test_save_and_load(tmp_path: Path) -> None:
    index = KeywordIndex.build(IDS, TEXTS)
    index.save(tmp_path / "kw")
    again = KeywordIndex.load(tmp_path / "kw")
    for variant in ("words", "bigrams"):
        assert again.search("教育局局长", 3, variant) == index.search("教育局局长", 3, variant)
    assert not [p for p in (tmp_path / "kw").rglob("*") if p.suffix in {".pkl", ".pickle"}]


def test_idf_is_high_for_rare_words_and_zero_for_absent_ones() -> None:
    texts = [f"第{i}号新闻：青石县推进乡村振兴工作" for i in range(20)] + ["微创心律向港交所递交招股书"]
    index = KeywordIndex.build([f"c{i}" for i in range(len(texts))], texts)
    assert index.idf("招股书") > index.idf("乡村振兴") > 0
    assert index.idf("心律") > index.idf("青石县")  # jieba may cut it otherwise: its bigrams tell
    assert index.idf("女足世界杯") == 0.0
