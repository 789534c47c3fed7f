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
