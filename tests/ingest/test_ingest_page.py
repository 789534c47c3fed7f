"""Newspaper page segmentation and layout repair on the bundled page and a second invented page."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rag.ingest import account, parse_page
from rag.records import Article

from .conftest import HUNAN_PAGE, SECOND_PAGE


@dataclass(frozen=True)
class PageCase:
    """What a page must segment into."""

    path: object
    headlines: tuple[str, ...]
    bylines: tuple[str, ...]
    subtitles: dict[str, str]
    rejoined: dict[str, str]  # expected joined text -> repair tag
    captions: tuple[str, ...]
    duplicate_starts: tuple[str, ...]
    sections: dict[str, str] = field(default_factory=dict)  # paragraph start -> section


HUNAN = PageCase(
    path=HUNAN_PAGE,
    headlines=(
        "家校同携手 护航成长路",
        "隆回交警开展学生道路交通安全教育有力度",
        "祁阳以案促改教育“关键少数”",
        "怀化税务为青年干部定制“成长套餐”",
        "党旗引领阔步向前",
        "衡阳县西渡中心派出所回应群众平安新期待",
        "国内首座220千伏智慧能源站投运",
    ),
    bylines=(
        "李吉 张咪",
        "彭晓艳 陆益平",
        "伍孝雄 刘建源",
        "杨雅茹 王卉",
        "邹妮娜 曾峰 胡朝霞",
        "罗爱君 黄周生",
        "石磊 邹勤 黄湘源",
    ),
    subtitles={
        "家校同携手 护航成长路": "株洲市天元区全力打造家校合作共育的新生态",
        "党旗引领阔步向前": "娄底举行党的建设专场新闻发布会",
    },
    rejoined={
        "进一步听取家长的意见建议。2021至2022学年以来": "rejoined_across_caption",
        "不失控，西渡中心(城东)派出所还依托": "rejoined_broken_line",
        "提升了建设效率。": "rejoined_broken_line",
        "家长们活用歌曲、视频、手工活动等方式": "rejoined_broken_line",
        "问：“基层治则天下安”，娄底组织部门围绕基层治理做了哪些工作？\n答：": "rejoined_broken_line",
    },
    captions=("白鹤小学“陪伴你”周末书法课堂。\n株洲市天元区教育局供图",),
    duplicate_starts=(
        "民事业的关键性和根本性问题来抓",
        "娄底倡导",
        "着眼党的事业",
        "细看成绩单",
        "“山泉多的地方",
        "锚定打造",
    ),
    sections={
        "天元区各校重视家校协作": "“家长志愿者”为家校共育聚合力",
        "这十年，娄底市委始终": "正风肃纪反腐，坚持不懈把全面从严治党引向深入",
    },
)

SECOND = PageCase(
    path=SECOND_PAGE,
    headlines=(
        "山村学校迎来新图书馆",
        "青石县开展秋季森林防火专项检查",
        "青石县农技专家田间授课助秋收",
        "数字赋能乡村治理",
        "青石县消防救援大队走进社区开展演练",
        "青石至白云乡公路改造完工",
    ),
    bylines=("王小川 赵丽", "李明 周涛", "孙海燕 钱进", "刘芳 陈思远", "吴桐 郑凯", "何静"),
    subtitles={
        "山村学校迎来新图书馆": "青石县多方合力改善乡村阅读条件",
        "数字赋能乡村治理": "青石县举行乡村治理数字化改革新闻发布会",
    },
    rejoined={
        "问卷共收回八百多份，学校据此调整了采购清单": "rejoined_across_caption",
        "坚持需求导向，让书香走进每个孩子的课堂": "rejoined_broken_line",
        "大大提高了收割效率。": "rejoined_broken_line",
        "问：青石县在推进乡村治理数字化方面取得了哪些成效？\n答：": "rejoined_broken_line",
    },
    captions=("孩子们在新图书馆里阅读。\n青石县教育局供图",),
    duplicate_starts=("字化改革作为推进乡村治理现代化的关键抓手", "截至今年9月"),
    sections={"图书馆建设前": "坚持需求导向，让书香走进每个孩子的课堂"},
)

CASES = [pytest.param(HUNAN, id="hunan"), pytest.param(SECOND, id="second")]


def _parse(case: PageCase) -> tuple[str, list[Article]]:
    text = case.path.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    return text, parse_page(text, case.path.name)  # type: ignore[attr-defined]


def _paragraph(articles: list[Article], fragment: str):  # noqa: ANN202
    found = [p for a in articles for p in a.paragraphs if fragment in p.text]
    assert len(found) == 1, f"{fragment!r} found {len(found)} times"
    return found[0]


@pytest.mark.parametrize("case", CASES)
def test_headlines_bylines_and_subtitles(case: PageCase) -> None:
    _, articles = _parse(case)
    assert tuple(a.title for a in articles) == case.headlines
    assert tuple(a.byline for a in articles) == case.bylines
    assert {a.title: a.subtitle for a in articles if a.subtitle} == case.subtitles
    assert not any(a.title_derived for a in articles)


@pytest.mark.parametrize("case", CASES)
def test_bylines_are_stripped_from_body(case: PageCase) -> None:
    _, articles = _parse(case)
    for article in articles:
        assert not any(article.byline in p.text for p in article.paragraphs), article.title
        assert not any(p.text.endswith((")", "）")) for p in article.paragraphs), article.title


@pytest.mark.parametrize("case", CASES)
def test_broken_sentences_are_rejoined(case: PageCase) -> None:
    _, articles = _parse(case)
    for fragment, repair in case.rejoined.items():
        paragraph = _paragraph(articles, fragment)
        assert repair in paragraph.repairs


@pytest.mark.parametrize("case", CASES)
def test_captions_are_kept_out_of_the_body(case: PageCase) -> None:
    _, articles = _parse(case)
    assert tuple(c.text for a in articles for c in a.captions) == case.captions
    for caption in case.captions:
        first_line = caption.splitlines()[0]
        assert not any(first_line in p.text for a in articles for p in a.paragraphs)


@pytest.mark.parametrize("case", CASES)
def test_passage_printed_twice_is_kept_once(case: PageCase) -> None:
    text, articles = _parse(case)
    dups = [d for a in articles for d in a.duplicates]
    assert (
        tuple(d.text[: len(s)] for d, s in zip(dups, case.duplicate_starts, strict=False))
        == case.duplicate_starts
    )
    assert len(dups) == len(case.duplicate_starts)
    by_id = {p.paragraph_id: p for a in articles for p in a.paragraphs}
    for dup in dups:
        assert text[dup.char_start : dup.char_end] == dup.text
        kept = by_id[dup.duplicate_of]
        assert kept.char_start < dup.char_start
        assert dup.text[-20:] in kept.text or dup.text[:20] in kept.text
        assert sum(dup.text[:20] in p.text for p in by_id.values()) <= 1


@pytest.mark.parametrize("case", CASES)
def test_qa_turns_stay_together(case: PageCase) -> None:
    _, articles = _parse(case)
    qa = [p for a in articles for p in a.paragraphs if p.kind == "qa"]
    assert qa
    for paragraph in qa:
        question, answer = paragraph.text.split("\n")
        assert question.startswith("问：") and question.endswith("？")
        assert answer.startswith("答：")


@pytest.mark.parametrize("case", CASES)
def test_sections_are_headings_and_label_their_paragraphs(case: PageCase) -> None:
    _, articles = _parse(case)
    for start, section in case.sections.items():
        assert _paragraph(articles, start).section == section
        assert any(
            p.kind == "heading" and p.text == section for a in articles for p in a.paragraphs
        )


@pytest.mark.parametrize("case", CASES)
def test_nothing_is_lost(case: PageCase) -> None:
    text, articles = _parse(case)
    accounting = account(articles, text)
    assert accounting.ok, (accounting.missing, accounting.extra)


@pytest.mark.parametrize("case", CASES)
def test_paragraph_offsets_point_at_source_text(case: PageCase) -> None:
    text, articles = _parse(case)
    for article in articles:
        for n, paragraph in enumerate(article.paragraphs):
            assert paragraph.n == n and paragraph.paragraph_id == f"{article.article_id}#p{n}"
            assert paragraph.article_title == article.title
            source = text[paragraph.char_start : paragraph.char_end]
            assert source.startswith(paragraph.text[:10]) and "".join(source.split()).endswith(
                paragraph.text[-5:]
            )


def test_ids_are_stable_and_local(second_text: str) -> None:
    first = parse_page(second_text, "second-page.txt")
    again = parse_page(second_text, "second-page.txt")
    assert [a.article_id for a in first] == [a.article_id for a in again]
    assert len({a.article_id for a in first}) == len(first)
    edited = parse_page(second_text.replace("三千余册新书", "四千余册新书"), "second-page.txt")
    changed = [a.title for a, b in zip(first, edited, strict=False) if a.article_id != b.article_id]
    assert changed == ["山村学校迎来新图书馆"]
    elsewhere = parse_page(second_text, "other-page.txt")
    assert not {a.article_id for a in first} & {a.article_id for a in elsewhere}


def test_norm_is_half_width_without_cjk_spaces(hunan_text: str) -> None:
    articles = parse_page(hunan_text, "p.txt")
    heading = _paragraph(articles, "“幸福邻里情 教育温暖行”家校合作显担当")
    assert heading.norm == "“幸福邻里情教育温暖行”家校合作显担当"
    assert "，" not in articles[0].paragraphs[0].norm
