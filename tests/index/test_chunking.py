from index_helpers import make_article, sample_articles

from rag.config import ChunkSettings
from rag.index.chunking import chunk_articles, window_spans
from rag.text import sentence_spans


def test_sentences_end_at_chinese_marks_and_keep_closing_quotes() -> None:
    text = "他说：“我们成功了。”大家都很高兴！还要继续努力吗？当然；继续"
    parts = [text[s:e] for s, e in sentence_spans(text)]
    assert parts == ["他说：“我们成功了。”", "大家都很高兴！", "还要继续努力吗？", "当然；", "继续"]
    assert "".join(parts) == text


def test_short_paragraph_is_one_chunk_with_offsets() -> None:
    chunks = chunk_articles(sample_articles(), ChunkSettings())
    first = chunks[0]
    assert first.chunk_id == "school#p0#c0"
    assert first.paragraph_ids == ("school#p0",)
    assert (first.start, first.end) == (0, len(first.text))
    assert first.embed_text.startswith("家校同携手 护航成长路\n")
    assert first.content_hash


def test_bylines_and_captions_are_not_indexed() -> None:
    ids = [c.chunk_id for c in chunk_articles(sample_articles(), ChunkSettings())]
    assert "farm#p1#c0" not in ids and "farm#p0#c0" in ids


def test_long_paragraph_splits_at_sentence_ends_with_overlap() -> None:
    sentences = [f"第{i}句话讲的是一件很重要的事情。" for i in range(20)]
    text = "".join(sentences)
    article = make_article("long", "标题", [text, "另一段。"])
    chunks = chunk_articles([article], ChunkSettings(max_chars=60, overlap_sentences=1))
    mine = [c for c in chunks if c.paragraph_ids == ("long#p0",)]
    assert len(mine) > 3
    for c in mine:
        assert len(c.text) <= 60
        assert text[c.start : c.end] == c.text
        assert c.text.endswith("。")
    # consecutive windows share one sentence
    for a, b in zip(mine, mine[1:], strict=False):
        assert b.start < a.end


def test_chunks_never_cross_paragraphs_or_articles() -> None:
    arts = [make_article("a", "甲", ["一。" * 100]), make_article("b", "乙", ["二。" * 100])]
    for c in chunk_articles(arts, ChunkSettings(max_chars=50)):
        assert len(c.paragraph_ids) == 1
        assert set(c.text) <= {"一", "。"} or set(c.text) <= {"二", "。"}


def test_sentence_longer_than_limit_is_cut() -> None:
    text = "，".join(["很长的从句"] * 40) + "。"
    spans = window_spans(text, 50, 1)
    assert all(e - s <= 50 for s, e in spans)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
