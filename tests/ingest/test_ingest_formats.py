"""Every source format, encodings, bad files skipped with a reason, the written output."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import re
from pathlib import Path

import pytest

from rag.errors import IndexCorruptError, IndexError_, IngestError
from rag.ingest import format_summary, iter_jsonl_articles, load_corpus, read_ingest, write_ingest

from .conftest import SECOND_PAGE

BODY = "青石县今年新建了三座图书馆，方便群众就近借阅。全县图书借阅量比去年增长了三成。"
DOCS = [
    {"id": "doc-1", "text": BODY, "published": "2023-08-16 18:24:57"},
    {
        "id": "doc-2",
        "title": "给定标题",
        "text": "第二篇报道的正文。\n第二段正文也在这里。",
        "url": "http://x/2",
        "source": "青石日报",
    },
]


def _jsonl(docs: list[dict[str, object]]) -> bytes:
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode()


def _skip_reasons(corpus: Path) -> dict[str, str]:
    return {s.path: s.reason for s in load_corpus(corpus).skipped}


def test_markdown_titles_sections_and_captions(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "---\ntitle: 无用\ndate: 2024-01-02\n---\n# 青石县新建图书馆\n\n王小川 赵丽\n\n"
        "青石县今年新建了三座图书馆，\n方便群众就近借阅。\n\n## 借阅量大增\n\n"
        "全县图书借阅量比去年增长了**三成**，[详情](http://x)见附表。\n\n![读者在图书馆看书](a.jpg)\n",
        encoding="utf-8",
    )
    (article,) = load_corpus(tmp_path).articles
    assert (article.title, article.byline, article.published) == (
        "青石县新建图书馆",
        "王小川 赵丽",
        "2024-01-02",
    )
    assert [p.kind for p in article.paragraphs] == ["body", "heading", "body"]
    assert article.paragraphs[0].text == "青石县今年新建了三座图书馆，方便群众就近借阅。"
    assert article.paragraphs[2].section == "借阅量大增"
    assert article.paragraphs[2].text == "全县图书借阅量比去年增长了三成，详情见附表。"
    assert [c.text for c in article.captions] == ["读者在图书馆看书"]


def test_html_keeps_article_text_only(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        "<html><head><title>网站标题</title><style>p{color:red}</style></head><body>"
        "<nav><a href='/'>首页</a> 新闻</nav><script>var x = '脚本';</script>"
        "<article><h1>青石县新建图书馆</h1><p>青石县今年新建了三座图书馆，方便群众就近借阅。</p>"
        "<h2>借阅量大增</h2><p>全县图书借阅量比去年增长了三成&amp;更多。</p>"
        "<figure><img src='a.jpg'><figcaption>读者在图书馆看书</figcaption></figure></article>"
        "<footer>版权所有</footer></body></html>",
        encoding="utf-8",
    )
    (article,) = load_corpus(tmp_path).articles
    text = " ".join(p.text for p in article.paragraphs)
    assert article.title == "青石县新建图书馆"
    assert "首页" not in text and "脚本" not in text and "color" not in text and "版权" not in text
    assert [p.kind for p in article.paragraphs] == ["body", "heading", "body"]
    assert article.paragraphs[2].text.endswith("三成&更多。")
    assert [c.text for c in article.captions] == ["读者在图书馆看书"]


def test_html_without_h1_uses_page_title(tmp_path: Path) -> None:
    (tmp_path / "b.htm").write_bytes("<title>页面标题</title><p>正文第一段。</p>".encode("gb18030"))
    (article,) = load_corpus(tmp_path).articles
    assert article.title == "页面标题" and article.paragraphs[0].text == "正文第一段。"


@pytest.mark.parametrize(
    "suffix,compress",
    [("", bytes), (".xz", lzma.compress), (".gz", gzip.compress), (".bz2", bz2.compress)],
)
def test_jsonl_plain_and_compressed(tmp_path: Path, suffix: str, compress) -> None:  # noqa: ANN001
    (tmp_path / f"docs.jsonl{suffix}").write_bytes(compress(_jsonl(DOCS)))
    result = load_corpus(tmp_path)
    first, second = result.articles
    assert (first.article_id, first.published, first.title_derived) == (
        "doc-1",
        "2023-08-16 18:24:57",
        True,
    )
    assert first.title == "青石县今年新建了三座图书馆，方便群众就近借阅"
    assert first.paragraphs[0].paragraph_id == "doc-1#p0"
    assert (second.title, second.url, second.source, len(second.paragraphs)) == (
        "给定标题",
        "http://x/2",
        "青石日报",
        2,
    )
    assert result.stats.files_read == 1 and not result.problems


def test_jsonl_title_is_truncated_first_sentence(tmp_path: Path) -> None:
    long = "这是一个非常长的第一句话" * 5 + "。后面还有。"
    (tmp_path / "d.jsonl").write_bytes(_jsonl([{"id": "x", "text": long}]))
    (article,) = load_corpus(tmp_path).articles
    assert article.title == long[:30] + "…"


def test_jsonl_malformed_line_reported_with_line_number(tmp_path: Path) -> None:
    lines = (
        _jsonl(DOCS[:1])
        + b'{"id": "broken", "text": \n'
        + b"[1, 2]\n"
        + b'{"id": "e"}\n'
        + _jsonl(DOCS[1:])
    )
    (tmp_path / "d.jsonl").write_bytes(lines)
    result = load_corpus(tmp_path)
    assert [a.article_id for a in result.articles] == ["doc-1", "doc-2"]
    assert [(p.path, p.line) for p in result.problems] == [
        ("d.jsonl", 2),
        ("d.jsonl", 3),
        ("d.jsonl", 4),
    ]
    assert "malformed JSON" in result.problems[0].message
    assert "d.jsonl:2" in format_summary(result)


def test_jsonl_streaming_limit(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl.xz"
    path.write_bytes(lzma.compress(_jsonl(DOCS * 3)))
    assert len(list(iter_jsonl_articles(path, limit=2))) == 2


def test_duplicate_ids_across_files_dropped(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(_jsonl(DOCS))
    (tmp_path / "b.jsonl").write_bytes(_jsonl(DOCS[:1]))
    result = load_corpus(tmp_path)
    assert len(result.articles) == 2 and "duplicate article id" in result.problems[0].message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "page.txt").write_bytes(SECOND_PAGE.read_text(encoding="utf-8").encode(encoding))
    result = load_corpus(tmp_path)
    assert not result.skipped
    assert result.articles[0].title == "山村学校迎来新图书馆"


def test_bad_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_bytes(b"  \n\n")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "controls.txt").write_bytes(b"\x01\x02\x03\x04abc\x05\x06" * 50)
    (tmp_path / "bad.txt").write_bytes(b"\x80\x80 not text \xff\xff")
    (tmp_path / "cut.jsonl.xz").write_bytes(lzma.compress(_jsonl(DOCS * 200))[:200])
    (tmp_path / "cut.txt.gz").write_bytes(gzip.compress(BODY.encode())[:-12])
    (tmp_path / "image.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "junk.jsonl").write_bytes(b"not json\nstill not\n")
    (tmp_path / ".hidden.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "ok.txt").write_text(BODY, encoding="utf-8")
    result = load_corpus(tmp_path)
    reasons = {s.path: s.reason for s in result.skipped}
    assert set(reasons) == {
        "empty.txt",
        "blank.md",
        "binary.txt",
        "controls.txt",
        "bad.txt",
        "cut.jsonl.xz",
        "cut.txt.gz",
        "image.pdf",
        "junk.jsonl",
    }
    assert reasons["empty.txt"].startswith("empty") and reasons["blank.md"].startswith("empty")
    assert reasons["binary.txt"].startswith("binary") and reasons["controls.txt"].startswith(
        "binary"
    )
    assert reasons["bad.txt"].startswith("undecodable")
    assert reasons["cut.jsonl.xz"].startswith("truncated") and reasons["cut.txt.gz"].startswith(
        "truncated"
    )
    assert "unsupported" in reasons["image.pdf"] and "no valid JSON" in reasons["junk.jsonl"]
    assert result.stats.files_read == 1 and len(result.articles) == 1
    summary = format_summary(result)
    assert all(f"{path}: {reason}" in summary for path, reason in reasons.items())


def test_missing_corpus_raises(tmp_path: Path) -> None:
    with pytest.raises(IngestError):
        load_corpus(tmp_path / "nope")


def test_write_and_read_back(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "page.txt").write_bytes(SECOND_PAGE.read_bytes())
    result = load_corpus(tmp_path / "corpus")
    path = write_ingest(result, tmp_path / "index")
    assert path == tmp_path / "index" / "articles.jsonl"
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(result.articles)
    assert read_ingest(tmp_path / "index") == result.articles
    assert [p.name for p in (tmp_path / "index").iterdir()] == ["articles.jsonl"]


def test_read_ingest_errors(tmp_path: Path) -> None:
    with pytest.raises(IndexError_):
        read_ingest(tmp_path)
    (tmp_path / "articles.jsonl").write_text('{"not": "an article"}\n', encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="articles.jsonl:1"):
        read_ingest(tmp_path)


def test_summary_lists_counts(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_bytes(SECOND_PAGE.read_bytes())
    summary = format_summary(load_corpus(tmp_path))
    for label in (
        "files read",
        "articles",
        "paragraphs",
        "captions",
        "rejoined breaks",
        "duplicates dropped",
    ):
        assert label in summary
    assert re.search(r"duplicates dropped +2\n", summary)


def _one_jsonl_article(tmp_path: Path, text: str):  # noqa: ANN202
    path = tmp_path / "n.jsonl"
    path.write_text(json.dumps({"id": "n1", "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    (article,) = iter_jsonl_articles(path)
    return article, text


def test_scraped_report_lost_line_breaks_stamp_and_original_title(tmp_path: Path) -> None:
    from rag.ingest.account import account

    text = ("2024-03-02 09:15，正文：     原标题：青石县新建三座污水处理厂     李明 摄   "
            "记者从青石县获悉，全县新建的三座污水处理厂日前投入运行。\u3000\u3000三座厂日处理能力合计 4.5 万吨。")
    article, source = _one_jsonl_article(tmp_path, text)
    assert article.title == "青石县新建三座污水处理厂"
    bodies = [p.text for p in article.paragraphs]
    assert bodies == ["记者从青石县获悉，全县新建的三座污水处理厂日前投入运行。", "三座厂日处理能力合计4.5万吨。"]
    held = [c.text for c in article.captions]
    assert "2024-03-02 09:15，正文：" in held and "李明 摄" in held  # kept aside, not indexed
    assert account([article], source).missing == {}


def test_spaces_between_chinese_and_digits_go_but_not_between_chinese_words(tmp_path: Path) -> None:
    article, _ = _one_jsonl_article(
        tmp_path, "据 ABC 科技 8 月 17 日消息，新款手机售价 3999 元，口号是“轻 快 稳”。")
    assert article.paragraphs[0].text == "据ABC科技8月17日消息，新款手机售价3999元，口号是“轻 快 稳”。"


def test_original_title_run_on_into_the_report_is_cut_at_the_dateline(tmp_path: Path) -> None:
    text = "原标题：青石县三座污水处理厂投入运行 日处理4.5万吨青石网8月14日电 记者从青石县获悉，三座厂日前投运。"
    article, _ = _one_jsonl_article(tmp_path, text)
    assert article.title == "青石县三座污水处理厂投入运行 日处理4.5万吨青石网"
    assert article.paragraphs[0].text.startswith("8月14日电")
