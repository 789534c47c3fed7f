"""Finding numbers with units, dates, person names and entities in a sentence."""

from __future__ import annotations

from rag.answer.facts import (
    date_matches,
    dates,
    entities,
    enumeration_size,
    locatives,
    persons,
    quantities,
    quoted,
)


def test_quantities_with_units_and_not_dates() -> None:
    got = {(f.text, f.unit_class) for f in quantities("2021至2022学年以来，召开家长会62次，发放资料20000余份，总量达29.9万人，预制率90%。")}
    assert ("62次", "times") in got
    assert ("20000余份", "count") in got
    assert ("29.9万人", "person") in got
    assert ("90%", "percent") in got
    assert not any(t.startswith(("2021", "2022")) for t, _ in got)


def test_counters_of_things_ranges_tenths_and_currencies() -> None:
    def texts(s: str) -> list[str]:
        return [f.text for f in quantities(s)]

    assert texts("俄军已有37架卡-52被击落，3架被击伤") == ["37架", "52", "3架"]  # 架, not a bare 37
    assert texts("维修需要四到六个月，成立3至5年的企业") == ["四到六个月", "3至5年"]  # a range is one amount
    assert texts("预计收入在2300万美元至2600万美元之间") == ["2300万美元至2600万美元"]
    assert texts("增长10%-15%") == ["10%-15%"] and texts("2021-2023年") == []  # years stay dates
    assert [(f.text, f.unit_class) for f in quantities("较暑期上涨近四成")] == [("四成", "percent")]
    assert texts("他成为一成员，统一成立标准，一成不变") == []  # the 成 of words is no tenth
    assert [(f.text, f.unit_class) for f in quantities("每股2.43港元，达到10300辆次，缔结45周年")] == [
        ("2.43港元", "money"), ("10300辆次", "count"), ("45周年", "duration")]
    assert [(f.text, f.unit_class) for f in quantities("将增长到1万亿美元")] == [("1万亿美元", "money")]


def test_dates_and_grain() -> None:
    found = {f.text: f.unit for f in dates("自2008年以来，8月底建成，5月7日揭牌，工程于2021年5月开工。")}
    assert found["5月7日"] == "day"
    assert found["8月底"] == "month"
    assert found["2021年5月"] == "month"
    assert {f.text: f.unit for f in dates("2023年2月6號發生嘅地震")}["2023年2月6號"] == "day"  # traditional 號
    day = [f for f in dates("5月7日揭牌") if date_matches(f, "day")]
    assert day and not [f for f in dates("在近日举办的仪式上") if date_matches(f, "day")]


def test_persons_after_titles_and_tagged_names(tok) -> None:  # type: ignore[no-untyped-def]
    names = [p.text for p in persons("天元区教育局局长龙超俊说，所长范文被评为全国优秀派出所所长。", tok)]
    assert "龙超俊" in names and "范文" in names



def test_a_transliterated_name_is_whole_with_its_dots(tok) -> None:  # type: ignore[no-untyped-def]
    names = [p.text for p in persons("以色列总统艾萨克·赫尔佐格（Isaac Herzog）和维克多・奥尔班表示", tok)]
    assert "艾萨克·赫尔佐格" in names and "维克多・奥尔班" in names
    assert "赫尔佐格" not in names and "艾萨克" not in names  # not its parts


def test_entities_of_a_kind(tok) -> None:  # type: ignore[no-untyped-def]
    got = [e.text for e in entities("白鹤菱溪小学则利用平台开设家长课堂。", "小学", tok)]
    assert "白鹤菱溪小学" in got


def test_quoted_and_enumerations() -> None:
    assert [q.text for q in quoted("推送“心育园地”栏目")] == ["“心育园地”"]
    assert enumeration_size("融合建设数据中心站、储能站、充电站等功能") == 3
    assert enumeration_size("没有列举的一句话。") == 0


def test_the_place_a_locative_word_governs(tok) -> None:  # type: ignore[no-untyped-def]
    def texts(s: str) -> list[str]:
        return [f.text for f in locatives(s, tok)]

    assert texts("警方追踪发现嫌疑人躲藏在一家酒店，随后疏散酒店客人。") == ["一家酒店"]
    assert texts("被困游客被带到游客中心过夜。") == ["游客中心"]
    assert texts("让我们回到你的办公室吧。") == ["你的办公室"]
    assert texts("会议于7月5日在北京召开") == ["北京"]  # not the date after 于
    assert texts("他在此工作多年") == []
