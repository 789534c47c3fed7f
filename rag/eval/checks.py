"""Checks of a hand-written question set (format in eval/README.md): every line well formed, and,
given the reports it was written from, every evidence string verbatim in a report and every answer
in the report that holds its evidence. `rag check-questions FILE…` runs them."""

from __future__ import annotations

import json
import lzma
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import EvalError
from rag.eval.questions import QUESTION_TYPES

REQUIRED = frozenset({"id", "question", "answers", "evidence", "type"})
OPTIONAL = frozenset({"answers_all", "history"})
EVIDENCE_MIN, EVIDENCE_MAX = 10, 30  # characters, in our CRUD sets: unique yet exact
CJK = re.compile(r"[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf"
                 r"\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True)
class SetRules:
    """What a set of ours promises: its ids, and which reports of the corpus it is about."""

    id_prefix: str
    reports: int  # the first N reports of the corpus are read
    first: int  # 0-based index of the first report questions may be about
    last: int  # ... and of the last


RULES = {
    "crud": SetRules("c", 300, 0, 299),
    "crud600": SetRules("d", 600, 300, 599),  # reports 1-300 are the distractors
}


@dataclass
class CheckResult:
    """The problems found (none: the set is fine) and what the set holds."""

    path: Path
    problems: list[str] = field(default_factory=list)
    types: Counter[str] = field(default_factory=Counter)
    reports: set[int] = field(default_factory=set)  # lowest report holding each question's evidence
    covered: set[int] = field(default_factory=set)  # every report holding it (near-duplicates)

    @property
    def n(self) -> int:
        """The number of questions read."""
        return sum(self.types.values())

    def summary(self) -> str:
        """One line: OK with the counts, or FAIL with the number of problems."""
        if self.problems:
            return f"FAIL: {len(self.problems)} problem(s) in {self.n} questions of {self.path}"
        by_type = ", ".join(f"{t} {c}" for t, c in sorted(self.types.items(), key=lambda x: (-x[1], x[0])))
        line = f"OK: {self.n} questions in {self.path} ({by_type})"
        if self.reports:
            line += (f"; distinct reports answering questions: {len(self.reports)} "
                     f"({len(self.covered)} counting near-duplicates holding the same evidence)")
        return line


def rules_for(path: Path) -> SetRules | None:
    """The rules of one of our sets, named by its folder (eval/crud/questions.jsonl -> crud)."""
    return RULES.get(path.resolve().parent.name)


def load_reports(path: Path, n: int) -> list[str]:
    """The texts of the first n reports of a JSONL corpus (.xz or plain)."""
    opener: Any = lzma.open if path.suffix == ".xz" else open
    texts: list[str] = []
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if len(texts) >= n:
                    break
                if line.strip():
                    texts.append(json.loads(line)["text"])
    except (OSError, ValueError, KeyError) as exc:
        raise EvalError(f"cannot read the reports of {path}: {exc}") from exc
    if len(texts) < n:
        raise EvalError(f"corpus {path} has only {len(texts)} reports, the set needs {n}")
    return texts


def norm(s: str) -> str:
    """NFKC and no whitespace, as answers are compared ('20 万' == '20万')."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def check_set(path: Path, reports: Sequence[str] | None = None,
              rules: SetRules | None = None) -> CheckResult:
    """Every check of one question file; `reports` (the corpus texts) enables the evidence checks."""
    result = CheckResult(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalError(f"cannot read question set {path}: {exc}") from exc
    normed = [norm(t) for t in reports] if reports is not None else []
    seen_ids: set[str] = set()
    seen_questions: set[str] = set()
    for lineno, line in enumerate(lines, start=1):
        q, problem = _parse(line)
        if q is None:
            result.problems.append(f"line {lineno}: {problem}")
            continue
        where = f"line {lineno} ({q.get('id')})"
        found = check_question(q, result.n + 1, rules)
        result.types[str(q.get("type"))] += 1
        qid, question = str(q.get("id")), str(q.get("question"))
        if qid in seen_ids:
            found.append("duplicate id")
        if question in seen_questions:
            found.append("duplicate question")
        seen_ids.add(qid)
        seen_questions.add(question)
        if reports is not None and not found and q["type"] != "unanswerable":
            found += _check_in_reports(q, reports, normed, rules, result)
        result.problems += [f"{where}: {p}" for p in found]
    if not result.n:
        result.problems.append("no questions")
    return result


def _parse(line: str) -> tuple[dict[str, Any] | None, str]:
    if not line.strip():
        return None, "empty line"
    try:
        q = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON ({exc})"
    return (q, "") if isinstance(q, dict) else (None, "not a JSON object")


def _str_list(x: object, allow_empty: bool = True) -> bool:
    return (isinstance(x, list) and (allow_empty or bool(x))
            and all(isinstance(s, str) and s.strip() for s in x))


def check_question(q: dict[str, Any], n: int, rules: SetRules | None = None) -> list[str]:
    """The problems of the n-th question of a set on its own (fields, types, lengths)."""
    keys = set(q)
    if REQUIRED - keys:
        return [f"missing fields {sorted(REQUIRED - keys)}"]
    problems = [f"unknown fields {sorted(keys - REQUIRED - OPTIONAL)}"] if keys - REQUIRED - OPTIONAL else []
    if rules is not None and q["id"] != f"{rules.id_prefix}{n:03d}":
        problems.append(f"id out of order, expected {rules.id_prefix}{n:03d}")
    typ, question = q["type"], q["question"]
    if typ not in QUESTION_TYPES:
        return [*problems, f"unknown type {typ!r}"]
    if not isinstance(question, str) or not question.strip():
        problems.append("empty question")
    for key in ("answers", "evidence"):
        if not _str_list(q[key]):
            problems.append(f"{key} must be a list of non-empty strings")
    if "answers_all" in q and not _str_list(q["answers_all"], allow_empty=False):
        problems.append("answers_all must be a non-empty list of non-empty strings")
    problems += _check_history(q, typ)
    if typ == "english" and isinstance(question, str) and CJK.search(question):
        problems.append("english question contains Chinese characters")
    if problems:
        return problems
    return _check_answers(q, typ, rules)


def _check_history(q: dict[str, Any], typ: str) -> list[str]:
    if typ != "followup":
        return ["history only belongs to followup questions"] if "history" in q else []
    h = q.get("history")
    ok = isinstance(h, list) and len(h) >= 2 and len(h) % 2 == 0 and all(
        isinstance(turn, dict) and set(turn) == {"role", "content"}
        and turn["role"] == ("user" if k % 2 == 0 else "assistant")
        and isinstance(turn["content"], str) and turn["content"].strip()
        for k, turn in enumerate(h))
    return [] if ok else ["followup needs a history of alternating {role: user|assistant, content} "
                          "turns, user first, assistant last"]


def _check_answers(q: dict[str, Any], typ: str, rules: SetRules | None) -> list[str]:
    answers, evidence, answers_all = q["answers"], q["evidence"], q.get("answers_all", [])
    if typ == "unanswerable":
        return ["unanswerable must have empty answers and evidence"] if (
            answers or evidence or answers_all) else []
    problems = []
    if not answers and not answers_all:
        problems.append("answerable question without answers/answers_all")
    if not evidence:
        problems.append("answerable question without evidence")
    if typ == "list" and len(answers_all) < 2:
        problems.append("list question needs answers_all with 2+ items")
    if typ == "multi" and len(evidence) < 2:
        problems.append("multi question needs one evidence string per fact (2+)")
    for e in evidence:
        if e != e.strip():
            problems.append(f"evidence has leading/trailing space: {e!r}")
        if "\n" in e:
            problems.append(f"evidence spans a newline: {e!r}")
        if rules is not None and not EVIDENCE_MIN <= len(e) <= EVIDENCE_MAX:
            problems.append(f"evidence length {len(e)} outside {EVIDENCE_MIN}-{EVIDENCE_MAX}: {e!r}")
    return problems


def _check_in_reports(q: dict[str, Any], reports: Sequence[str], normed: Sequence[str],
                      rules: SetRules | None, result: CheckResult) -> list[str]:
    """Each evidence string verbatim in a report the set is about; each answer in the report(s)
    holding all of its evidence."""
    first, last = (rules.first, rules.last) if rules is not None else (0, len(reports) - 1)
    about = range(first, last + 1)
    problems = []
    for e in q["evidence"]:
        if not any(e in reports[i] for i in about):
            elsewhere = [i for i in range(len(reports)) if e in reports[i]]
            extra = f" (found only in reports {elsewhere[:5]})" if elsewhere else ""
            problems.append(f"evidence not verbatim in reports {first}..{last}{extra}: {e!r}")
    holders = [i for i in about if all(e in reports[i] for e in q["evidence"])]
    if not holders:
        if len(q["evidence"]) > 1 and not problems:
            problems.append("evidence strings do not all occur in one report")
        return problems
    for a in [*q["answers"], *q.get("answers_all", [])]:
        if not any(norm(a) in normed[i] for i in holders):
            problems.append(f"answer {a!r} not in the report(s) holding its evidence {holders[:5]}")
    result.reports.add(holders[0])
    result.covered.update(holders)
    return problems
