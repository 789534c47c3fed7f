"""Validates eval/questions.jsonl against the bundled corpus."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from rag.eval.normalize import contains_normalized, normalize_answer
from rag.eval.questions import QUESTION_TYPES, QuestionItem, load_questions

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "eval" / "questions.jsonl"
CORPUS = ROOT / "corpus" / "hunan-news-page.txt"


@pytest.fixture(scope="module")
def items() -> list[QuestionItem]:
    return load_questions(QUESTIONS)


@pytest.fixture(scope="module")
def corpus() -> str:
    return CORPUS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def blocks(corpus: str) -> list[str]:
    return [b for b in re.split(r"\n\s*\n", corpus) if b.strip()]


def test_every_line_is_a_json_object_with_known_fields() -> None:
    allowed = {"id", "question", "answers", "answers_all", "evidence", "type", "history"}
    for lineno, line in enumerate(QUESTIONS.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            data = json.loads(line)
            assert set(data) <= allowed, f"line {lineno}: {set(data) - allowed}"
            assert {"id", "question", "answers", "evidence", "type"} <= set(data), f"line {lineno}"


def test_size_and_mix(items: list[QuestionItem]) -> None:
    counts = Counter(i.type for i in items)
    assert len(items) >= 120
    assert counts["unanswerable"] >= 20
    assert counts["followup"] >= 5 and counts["english"] >= 5 and counts["multi"] >= 3
    assert set(counts) <= set(QUESTION_TYPES)


def test_ids_are_unique_and_well_formed(items: list[QuestionItem]) -> None:
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"q\d{3,}", i) for i in ids)


def test_questions_are_unique(items: list[QuestionItem]) -> None:
    questions = [i.question for i in items]
    assert len(questions) == len(set(questions))


def test_evidence_occurs_verbatim(items: list[QuestionItem], corpus: str) -> None:
    missing = [(i.id, e) for i in items for e in i.evidence if e not in corpus]
    assert not missing


def test_evidence_stays_inside_one_block(items: list[QuestionItem], blocks: list[str]) -> None:
    """Evidence must not span a layout break (a blank line in the page text)."""
    spanning = [(i.id, e) for i in items for e in i.evidence if not any(e in b for b in blocks)]
    assert not spanning


def test_answers_occur_in_the_corpus(items: list[QuestionItem], corpus: str) -> None:
    norm = normalize_answer(corpus)
    missing = [
        (i.id, a)
        for i in items
        for a in (*i.answers, *i.answers_all)
        if not contains_normalized(norm, normalize_answer(a))
    ]
    assert not missing


def test_answers_occur_in_the_gold_paragraphs(items: list[QuestionItem], blocks: list[str]) -> None:
    failures = []
    for item in items:
        if item.unanswerable:
            continue
        gold = normalize_answer("\n".join(b for b in blocks if any(e in b for e in item.evidence)))
        found_any = not item.answers or any(
            contains_normalized(gold, normalize_answer(a)) for a in item.answers
        )
        found_all = all(contains_normalized(gold, normalize_answer(a)) for a in item.answers_all)
        if not (found_any and found_all):
            failures.append(item.id)
    assert not failures


def test_followups_are_elliptical_conversations(items: list[QuestionItem]) -> None:
    for item in items:
        if item.type == "followup":
            assert [t.role for t in item.history] == ["user", "assistant"], item.id


def test_english_questions_are_in_english(items: list[QuestionItem]) -> None:
    for item in items:
        if item.type == "english":
            assert re.fullmatch(r"[A-Za-z0-9 ,.'?\-\"]+", item.question), item.id


def test_unanswerable_questions_are_not_answered_by_their_own_words(
    items: list[QuestionItem], corpus: str
) -> None:
    """A cheap guard: an unanswerable question must not be a verbatim sentence of the page."""
    for item in items:
        if item.unanswerable:
            assert item.question.rstrip("？?") not in corpus, item.id
