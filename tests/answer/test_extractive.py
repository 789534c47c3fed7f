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
