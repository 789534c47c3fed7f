"""The extractive reader picks the sentence with the asked-for fact, or abstains."""

from __future__ import annotations

from rag.answer.extractive import ExtractiveAnswerer


def _answer(settings, tok, question, hits):  # type: ignore[no-untyped-def]
    return ExtractiveAnswerer(settings, tokenizer=tok).answer(question, hits)


def test_number_answer_holds_number_and_unit(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    d = _answer(settings, tok, "天元区的学校开了多少次家长会？", make_hits())
    assert not d.abstained and "62次" in d.text and d.cited == (1,)
    assert "[1]" in d.text and "62次" in d.quotes[1]


def test_person_answer(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    d = _answer(settings, tok, "天元区教育局的局长叫什么名字？", make_hits())
    assert not d.abstained and "龙超俊" in d.text and d.cited == (2,)


def test_date_answer(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    d = _answer(settings, tok, "家校共育中心是哪天揭牌成立的？", make_hits())
    assert not d.abstained and "5月7日" in d.text


def test_list_answer(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    d = _answer(settings, tok, "隆兴小学有哪些委员会？", make_hits())
    assert not d.abstained and "膳食委员会" in d.text and "宣传委员会" in d.text


def test_abstains_when_the_asked_for_fact_is_absent(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    for question in ("能源站总投资多少钱？", "天元区教育局的副局长是谁？", "隆回交警查处了多少起交通违法行为？"):
        d = _answer(settings, tok, question, make_hits())
        assert d.abstained, (question, d.text)
        assert d.text == settings.answer.abstain_phrase


def test_abstains_on_low_dense_similarity(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    d = _answer(settings, tok, "天元区的学校开了多少次家长会？", make_hits(dense=0.1))
    assert d.abstained and "low_similarity" in d.flags


def test_english_question_gets_the_chinese_fact(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    d = _answer(settings, tok, "How many traffic safety sessions did the Longhui traffic police hold?",
                make_hits()[3:4] + make_hits()[:3])
    assert not d.abstained and "19场次" in d.text


def test_double_question_answers_both_parts(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    d = _answer(settings, tok, "天元区开了多少次家长会？隆回交警发放了多少份宣传资料？", make_hits())
    assert "62次" in d.text and "20000余份" in d.text


# Invented reports (not the bundled page): the reader must generalise, not remember.
_BRIDGE = [
    ("b1", "湘江大桥建成通车",
     "3月2日，湘江大桥举行通车仪式，市长李明出席并致辞。"),
    ("b1", "湘江大桥建成通车",
     "该项目负责人王强介绍，大桥于2019年10月动工，历时三年多建成。"),
    ("b2", "市政府召开新闻发布会",
     "秘书长张伟、副市长赵敏分别介绍了全市经济运行情况，记者刘洋主持。"),
]


def test_date_next_to_the_asked_for_verb_beats_another_date(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    # '开工' in the question, '动工' in the report: a synonym, and the date sits right before it
    d = _answer(settings, tok, "湘江大桥是什么时候开工的？", make_hits(_BRIDGE))
    assert not d.abstained and "2019年10月" in d.text, d.text


def test_person_next_to_the_asked_for_verb(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    from rag.answer.question import analyze

    reader = ExtractiveAnswerer(settings, tokenizer=tok)
    fact, ok = reader._fact(analyze("新闻发布会是谁主持的？", tok), _BRIDGE[2][2])
    assert ok and fact is not None and fact.text == "刘洋"  # not the first name of the sentence
    d = _answer(settings, tok, "新闻发布会是谁主持的？", make_hits(_BRIDGE))
    assert not d.abstained and "刘洋" in d.text, d.text


def test_what_question_prefers_the_quote_right_after_its_verb(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ("c1", "某县优化营商环境",
         "某县始终把营商环境作为关系发展全局的大事来抓，不断完善服务企业的工作机制，营商环境持续改善。"),
        ("c1", "某县优化营商环境",
         "某县倡导“马上就办、办就办好”，出台服务企业“20条”，推行一窗通办。"),
    ]
    d = _answer(settings, tok, "某县优化营商环境倡导的理念是什么？", make_hits(rows))
    assert not d.abstained and "马上就办" in d.text, d.text


# Rules taken from the held-out CRUD questions (eval/crud), checked here on invented reports.
_PORT = [
    ("p1", "“远洋9号”货轮完成首航",
     "“远洋9号”货轮昨日完成首航，这艘船由青石船厂建造，总投资约3亿元，最大载货量为5万吨。"),
    ("p1", "“远洋9号”货轮完成首航",
     "据中国船舶工业集团介绍，首航从青石港出发，全程约1200公里，船上共有船员26名。"),
]


def test_a_number_the_question_names_is_not_its_answer(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    rows = [("p2", "青石港新添大型货轮", "“远洋122”货轮昨日在青石港完成首航，标志着该港远洋运输能力实现突破。")]
    d = _answer(settings, tok, "“远洋122”货轮的造价是多少？", make_hits(rows))
    assert d.abstained, d.text  # the 122 of its name is no price
    d = _answer(settings, tok, "“远洋9号”货轮的船员有多少名？", make_hits(_PORT))
    assert not d.abstained and "26名" in d.text, d.text


def test_weight_and_length_questions_need_their_units(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    d = _answer(settings, tok, "“远洋9号”货轮最多能装多重的货？", make_hits(_PORT))
    assert not d.abstained and "5万吨" in d.text, d.text
    d = _answer(settings, tok, "“远洋9号”首航全程有多长？", make_hits(_PORT))
    assert not d.abstained and "1200公里" in d.text, d.text


def test_a_role_the_report_does_not_name_is_refused(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    from rag.answer.question import analyze

    assert analyze("“远洋9号”货轮的船长叫什么名字？", tok).role == "船长"
    rows = [("q1", "“远洋9号”货轮完成首航", "青石港港长陈刚在首航仪式上致辞，船员代表王丽发言。")]
    d = _answer(settings, tok, "“远洋9号”货轮的船长叫什么名字？", make_hits(rows))
    assert d.abstained, d.text


def test_an_abbreviation_of_an_organisation_counts_as_named(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    from rag.answer.anchors import abbreviates as _abbreviates

    assert _abbreviates("中船工", "据中国船舶工业集团介绍") and not _abbreviates("中船工", "中国的船")
    d = _answer(settings, tok, "中船工业集团介绍的首航全程有多长？", make_hits(_PORT))
    assert not d.abstained and "1200公里" in d.text, d.text


def test_a_clause_without_a_question_word_does_not_ask(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    from rag.answer.question import split_parts

    assert split_parts("货轮要是没达到环保比例要求，会被罚多少钱？") == ("货轮要是没达到环保比例要求，会被罚多少钱？",)
    assert len(split_parts("货轮总投资是多少？最大载货量有多少？")) == 2


def test_which_country_or_city_is_answered_by_a_place_name_next_to_the_verb(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    rows = [("r1", "青石医疗申请上市", "青石医疗递交招股书，拟在主板上市，“青石系”将迎来第三家上市公司。"),
            ("r1", "青石医疗申请上市", "青石医疗总部位于德国，在全球45个国家销售产品。")]
    d = _answer(settings, tok, "向港交所递交招股书的青石医疗，总部设在哪个国家？", make_hits(rows))
    assert not d.abstained and "德国" in d.text, d.text


def test_a_number_inside_a_latin_name_is_no_quantity() -> None:
    from rag.answer.facts import quantities

    found = [q.text for q in quantities("据CCTV4报道，iOS17新增功能3项，5G基站达到12万个。")]
    assert "4" not in found and "17" not in found and "3项" in found and "12万个" in found


def test_the_event_date_not_the_reports_dateline(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    rows = [("s1", "某游戏商城明年关闭", "青石网8月17日消息，某游戏商城将于2024年7月29日正式关闭，已购游戏仍可下载。")]
    d = _answer(settings, tok, "某游戏商城哪天关门？", make_hits(rows))
    assert not d.abstained and "7月29日" in d.text and "8月17日" not in d.text.split("将于")[-1], d.text
    from rag.answer.question import analyze

    reader = ExtractiveAnswerer(settings, tokenizer=tok)
    fact, ok = reader._fact(analyze("某游戏商城哪天关门？", tok), rows[0][2])
    assert ok and fact is not None and fact.text == "2024年7月29日"


def test_what_is_it_called_takes_a_short_quote_or_a_model_name_next_to_the_asked_word(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    rows = [("n1", "新型装置磁体研制完成",
             "报道称，为应对“来自多方面的长期挑战和潜在风险”，该所加快研制，装置最大磁体PF7近日研制完成。"),
            ("n2", "某车型更名", "官方表示，以“青石旅行版”命名的车型现正式更名为“QS5T”。")]
    d = _answer(settings, tok, "该所装置里最大的磁体叫什么？", make_hits(rows[:1]))
    assert not d.abstained and "PF7" in d.text, d.text
    d = _answer(settings, tok, "“青石旅行版”现在改叫什么名字？", make_hits(rows[1:]))
    assert not d.abstained and "QS5T" in d.text, d.text


def test_the_questions_rare_words_must_be_in_the_answers_article(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    rows = [("l1", "某集团发布财报", "某集团董事长兼首席执行官杨明在财报公布后发布内部信，宣布准备在港交所上市的子公司将追加投资。")]
    common = {"准备": 0.2, "港交所": 0.8, "上市": 0.3, "首席": 0.5, "执行官": 0.5}

    def idf(term: str) -> float:
        return common.get(term, 6.0)  # every other word is rare: 微创, 心律

    question = "准备在港交所上市的微创心律，首席执行官是谁？"
    plain = ExtractiveAnswerer(settings, tokenizer=tok).answer(question, make_hits(rows))
    weighted = ExtractiveAnswerer(settings, tokenizer=tok, idf=idf).answer(question, make_hits(rows))
    assert weighted.abstained and "rare_terms_missing" in weighted.flags, weighted.text
    assert not plain.abstained  # without corpus statistics the common words carry it


def test_founders_vice_presidents_and_latin_names_answer_who(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    from rag.answer.question import analyze

    assert analyze("青石科技的创始人兼CEO叫什么？", tok).qtype == "person"
    rows = [("v1", "青石科技任命新高管", "青石科技宣布，前某公司研发主管王立出任副总裁，负责智能座舱业务。"),
            ("v1", "青石科技任命新高管", "该公司事业群总裁李强表示，汽车正在变成生活空间。"),
            ("v2", "某社交平台收紧返岗政策", "该平台的人力资源主管Lori Goler在内部论坛上宣布了新的返岗政策。")]
    d = _answer(settings, tok, "青石科技负责智能座舱业务的副总裁是谁？", make_hits(rows[:2]))
    assert not d.abstained and "王立" in d.text, d.text
    d = _answer(settings, tok, "在内部论坛上宣布返岗政策的人力资源主管是谁？", make_hits(rows[2:]))
    assert not d.abstained and "Lori Goler" in d.text, d.text


def test_english_questions_can_embed_their_candidate_sentences(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    from rag.index.embedders import FakeEmbedder

    class Counting(FakeEmbedder):
        texts = 0

        def embed_batch(self, texts, kind):  # type: ignore[no-untyped-def]
            if kind == "document":
                Counting.texts += len(texts)
            return super().embed_batch(texts, kind)

    question = "How many parent meetings did the schools in Tianyuan hold?"
    off = ExtractiveAnswerer(settings, Counting(), tokenizer=tok)
    off.answer(question, make_hits())
    assert Counting.texts == 0  # the default: no sentence is embedded
    on = settings.model_copy(update={"answer": settings.answer.model_copy(
        update={"max_sentences_embedded_en": 3})})
    ExtractiveAnswerer(on, Counting(), tokenizer=tok).answer(question, make_hits())
    assert Counting.texts == 3
    ExtractiveAnswerer(on, Counting(), tokenizer=tok).answer("天元区的学校开了多少次家长会？", make_hits())
    assert Counting.texts == 3  # Chinese questions keep max_sentences_embedded (0)


def test_latin_units_are_quantities(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    from rag.answer.facts import quantities

    found = {q.text: q.unit_class for q in quantities("电池容量为8500mAh，支持44W闪充，5G网络，内存12GB。")}
    assert found == {"8500mAh": "power", "44W": "power", "12GB": "storage"}
    rows = [("t1", "青石平板发布", "青石平板售价1999元，配备11.5英寸屏幕，电池容量为8500mAh。")]
    d = _answer(settings, tok, "青石平板的电池容量是多大？", make_hits(rows))
    assert not d.abstained and "8500mAh" in d.text, d.text


def test_a_latin_name_the_question_turns_on_must_be_in_the_answers_article(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    rows = [("x1", "某电商发布二季度财报", "2023年第二季度的净服务收入为541亿元人民币，比去年同期增长30.1%。")]

    def idf(term: str) -> float:
        return {"SpaceX": 3.5}.get(term, 2.0)  # rare, but the common words cover the rest

    d = ExtractiveAnswerer(settings, tokenizer=tok, idf=idf).answer("SpaceX 2023年第二季度的收入是多少？", make_hits(rows))
    assert d.abstained and "key_term_missing" in d.flags, (d.text, d.flags)
    d = ExtractiveAnswerer(settings, tokenizer=tok, idf=idf).answer("2023年第二季度的净服务收入是多少？", make_hits(rows))
    assert not d.abstained and "541亿元" in d.text, d.text


def test_typed_answers_lead_with_the_fact(settings, tok, make_hits) -> None:  # type: ignore[no-untyped-def]
    d = _answer(settings, tok, "天元区的学校开了多少次家长会？", make_hits())
    assert d.text.startswith("62次。") and "家长会62次" in d.quotes[1]
    person = _answer(settings, tok, "天元区教育局的局长叫什么名字？", make_hits())
    assert person.text.startswith("龙超俊")


def test_untyped_answers_keep_their_sentence(settings, tok) -> None:  # type: ignore[no-untyped-def]
    from rag.answer.extractive import lead_with_fact
    from rag.answer.facts import Fact
    from rag.answer.question import analyze

    fact = Fact(text="62次", start=0, end=3, kind="number")
    why = analyze("为什么要开家长会？", tok)
    assert lead_with_fact(why, fact, "为了沟通[1]。") == "为了沟通[1]。"
    number = analyze("开了多少次家长会？", tok)
    assert lead_with_fact(number, fact, "62次家长会[1]。") == "62次家长会[1]。"
    assert lead_with_fact(number, fact, "开了62次[1]。") == "62次。开了62次[1]。"


def test_another_years_figure_is_refused() -> None:
    from rag.answer.refusal import years_agree

    assert not years_agree(("2021",), "2020年全年城镇新增就业1186万人。", "2020年就业统计")
    assert years_agree(("2021",), "全年城镇新增就业1269万人。", "2021年国民经济统计公报")
    assert years_agree(("2021", "2022"), "2021-2022赛季总冠军是辽宁队。", "")
    assert years_agree(("2021",), "全年新增就业1269万人。", "国民经济统计公报")
    assert years_agree(("2023",), "2021年美网冠军拉杜卡努扭伤脚踝退赛。", "2023年1月5日 奥克兰站")


CULTURE = [("wh", "文化产业营收增长", "上半年，全国规模以上文化及相关产业企业实现营业收入59357亿元，同比增长7.3%，"
            "文化制造业实现营业收入18571亿元，比上年同期下降2.1%。")]


def test_a_question_of_change_leads_with_the_amount_the_verb_governs(  # type: ignore[no-untyped-def]
        settings, tok, make_hits) -> None:
    rose = _answer(settings, tok, "文化企业的营业收入同比增长了多少？", make_hits(CULTURE))
    assert rose.text.startswith("7.3%"), rose.text  # not the revenue the sentence names first
    fell = _answer(settings, tok, "文化制造业的营业收入下降了多少？", make_hits(CULTURE))
    assert fell.text.startswith("2.1%"), fell.text
    amount = _answer(settings, tok, "文化企业的营业收入是多少？", make_hits(CULTURE))
    assert amount.text.startswith("59357亿元"), amount.text  # no change asked: the revenue


def test_a_number_answer_keeps_its_hedge_and_the_counted_noun(  # type: ignore[no-untyped-def]
        settings, tok, make_hits) -> None:
    rows = [("cz", "长洲船闸", "办法试行后，长洲船闸当日断面过闸时间最快为75分钟，较以往提升效率约25%。"),
            ("zg", "整改", "该公司在收到《行政处罚决定书》后完成整改并提交材料，仅7个工作日就解除了限制生产决定。")]
    hedged = _answer(settings, tok, "长洲船闸的效率提升了多少？", make_hits(rows))
    assert hedged.text.startswith("约25%。"), hedged.text
    counted = _answer(settings, tok, "该公司在多少个工作日内完成了整改？", make_hits(rows[1:]))
    assert counted.text.startswith("7个工作日。"), counted.text


def test_the_near_of_lately_is_no_hedge(tok) -> None:  # type: ignore[no-untyped-def]
    from rag.answer import facts as F
    from rag.answer.numbers import whole_quantity
    from rag.answer.question import analyze

    q = analyze("用了多少年？", tok)
    for sentence, want in (("最近3年来增长很快", "3年"), ("附近2公里内", "2公里"), ("前后约3年", "约3年")):
        assert whole_quantity(q, sentence, F.quantities(sentence)[0]).text == want


def test_a_quantity_keeps_its_hedge_and_its_bound(tok) -> None:  # type: ignore[no-untyped-def]
    from rag.answer import facts as F
    from rag.answer.numbers import whole_quantity
    from rag.answer.question import analyze

    q = analyze("提供了多少援助？", tok)
    for sentence, want in (("提供了超过400亿美元的援助", "超过400亿美元"), ("推广300项以上产品", "300项以上"),
                           ("将近3000人参加", "将近3000人"), ("在2300万美元至2600万美元之间，", "2300万美元至2600万美元之间")):
        assert whole_quantity(q, sentence, F.quantities(sentence)[0]).text == want
    sentence = "该公司在物流企业50强榜单中排第29位"
    assert whole_quantity(analyze("该公司排第几位？", tok), sentence, F.quantities(sentence)[-1]).text == "第29位"
    assert whole_quantity(q, sentence, F.quantities(sentence)[-1]).text == "29位"  # not asked as an ordinal
