"""Question analysis: what kind of fact is asked for, with which unit, role or entity kind."""

from __future__ import annotations

import pytest

from rag.answer.question import analyze, detect_type, split_parts


@pytest.mark.parametrize(("question", "qtype"), [
    ("天元区的学校开了多少次家长会？", "number"),
    ("党员教师联络的社区有几个？", "number"),
    ("天元区教育局的局长叫什么名字？", "person"),
    ("智慧能源站工程的项目经理是谁？", "person"),
    ("家校共育中心是哪天揭牌的？", "date"),
    ("工程是什么时候动工的？", "date"),
    ("国内首座智慧能源站建在哪里？", "place"),
    ("哪所小学每个月都请家长来上课？", "entity"),
    ("隆兴小学的家长组织分了哪几个委员会？", "list"),
    ("为什么要让家长参与学校管理？", "why"),
    ("娄底市纪委监委是怎么整治“四风”的？", "how"),
    ("隆兴中学推送的栏目叫什么？", "what"),
    ("How many cases were filed?", "number"),
    ("Who hosted the press conference?", "person"),
    ("When was the station put into operation?", "date"),
    ("Where is the station?", "place"),
])
def test_detect_type(question: str, qtype: str) -> None:
    assert detect_type(question) == qtype


def test_number_question_unit_and_focus(tok) -> None:  # type: ignore[no-untyped-def]
    q = analyze("天元区的学校开了多少次家长会？", tok)
    assert (q.unit, q.unit_class, q.focus) == ("次", "times", "家长会")
    assert "天元区" in dict(q.terms)


def test_money_and_percent_questions(tok) -> None:  # type: ignore[no-untyped-def]
    assert analyze("能源站总投资多少钱？", tok).unit_class == "money"
    assert analyze("能源站基础施工的机械化率是多少？", tok).unit_class == "percent"
    assert analyze("娄底近五年录用了多少公务员？", tok).unit_class is None
    # a range's 里程 is a length (not a battery's 续航), a 估价 or 信贷 an amount of money
    assert analyze("该车的陆地续航里程是多少？", tok).unit_class == "length"
    assert analyze("这件龙袍的估价是多少？", tok).unit_class == "money"
    assert analyze("他获得了多少信贷支持？", tok).unit_class == "money"
    q = analyze("收入预计将增长到多少美元？", tok)
    assert (q.unit, q.unit_class) == ("美元", "money")


def test_person_role_and_which_kind(tok) -> None:  # type: ignore[no-untyped-def]
    assert analyze("天元区教育局的副局长是谁？", tok).role == "副局长"
    assert analyze("哪所小学每个月都请家长来上课？", tok).entity_kind == "小学"


def test_date_grain(tok) -> None:  # type: ignore[no-untyped-def]
    assert analyze("是哪一年列为民生实事的？", tok).date_grain == "year"
    assert analyze("是哪天揭牌的？", tok).date_grain == "day"


def test_split_parts_of_a_double_question() -> None:
    parts = split_parts("天元区一共开了多少次家长会？又有多少名党员教师参加了志愿服务？")
    assert len(parts) == 2
    assert split_parts("天元区开了多少次家长会？") == ("天元区开了多少次家长会？",)


def test_search_style_questions_take_their_type_from_the_head_noun() -> None:
    from rag.answer.question import detect_type, question_years

    assert detect_type("硅谷银行破产时间") == "date"
    assert detect_type("《阿凡达：水之道》国内上映日期") == "date"
    assert detect_type("安倍晋三中枪事件发生的地点") == "place"
    assert detect_type("2022年8月我国汽车出口量") == "number"
    assert detect_type("10·29索马里首都汽车炸弹爆炸死亡人数") == "number"
    assert detect_type("2023年中国男足主教练") == "person"
    assert detect_type("人生路不熟是什么电影") == "what"
    assert question_years("CBA2021-2022赛季总冠军") == ("2021", "2022")


def test_a_question_of_change_says_which_way(tok) -> None:  # type: ignore[no-untyped-def]
    assert analyze("营业收入同比增长了多少？", tok).change == "up"
    assert analyze("文化制造业的营业收入下降了几个百分点？", tok).change == "down"
    assert analyze("营业收入是多少？", tok).change == ""
    assert analyze("增长最快的是哪个行业？", tok).change == ""  # not a number question


def test_in_which_respect_is_no_place(tok) -> None:  # type: ignore[no-untyped-def]
    assert analyze("嫌疑人躲藏在哪里？", tok).qtype == "place"
    assert analyze("世锦赛会在哪举行", tok).qtype == "place"
    assert analyze("双方在哪些方面加强合作？", tok).qtype == "list"
    assert analyze("无人机将在哪方面执行更多任务？", tok).qtype == "what"
    q = analyze("联想集团在哪个会议上发布了服务器？", tok)
    assert (q.qtype, q.entity_kind) == ("entity", "会议")
