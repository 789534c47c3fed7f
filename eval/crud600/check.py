#!/usr/bin/env python3
"""Validate eval/crud600/questions.jsonl against the CRUD-RAG news corpus.

Usage: python eval/crud600/check.py [CORPUS.jsonl.xz] [QUESTIONS.jsonl]

Defaults: the corpus is ../shared/bench/crud-news.jsonl.xz relative to the
repository root, the questions file is the one next to this script.  Only the
first 600 reports are loaded; questions may only be about reports 301-600
(0-based indices 300..599).  Standard library only.
"""
import json
import lzma
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve()
DEFAULT_CORPUS = HERE.parents[2].parent / "shared/bench/crud-news.jsonl.xz"
DEFAULT_QUESTIONS = HERE.parent / "questions.jsonl"

N_DOCS = 600
FIRST, LAST = 300, 599          # 0-based indices questions may be about
EV_MIN, EV_MAX = 10, 30         # evidence length in characters

TYPES = {"number", "what", "list", "person", "date", "how", "place", "why",
         "multi", "english", "followup", "unanswerable"}
REQUIRED = {"id", "question", "answers", "evidence", "type"}
OPTIONAL = {"answers_all", "history"}
CJK = re.compile(r"[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf"
                 r"\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def norm(s):
    """NFKC and drop all whitespace (so '20 万' == '20万')."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def load_corpus(path):
    opener = lzma.open if str(path).endswith(".xz") else open
    texts = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if len(texts) >= N_DOCS:
                break
            line = line.strip()
            if line:
                texts.append(json.loads(line)["text"])
    if len(texts) < N_DOCS:
        raise SystemExit(f"corpus {path} has only {len(texts)} reports, need {N_DOCS}")
    return texts


def is_str_list(x, allow_empty=True):
    return (isinstance(x, list) and (allow_empty or x)
            and all(isinstance(s, str) and s.strip() for s in x))


def check(corpus_path, questions_path):
    texts = load_corpus(corpus_path)
    normed = [norm(t) for t in texts]
    problems = []
    types = Counter()
    primary, covered = set(), set()
    seen_q = set()
    n = 0

    with open(questions_path, encoding="utf-8") as f:
        lines = f.read().splitlines()

    for lineno, line in enumerate(lines, 1):
        where = f"line {lineno}"
        if not line.strip():
            problems.append(f"{where}: empty line")
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{where}: invalid JSON ({e})")
            continue
        if not isinstance(q, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        n += 1
        qid = q.get("id")
        where = f"line {lineno} ({qid})"
        keys = set(q)
        if REQUIRED - keys:
            problems.append(f"{where}: missing fields {sorted(REQUIRED - keys)}")
        if keys - REQUIRED - OPTIONAL:
            problems.append(f"{where}: unknown fields {sorted(keys - REQUIRED - OPTIONAL)}")
        if qid != f"d{n:03d}":
            problems.append(f"{where}: id should be d{n:03d}")

        typ = q.get("type")
        if typ not in TYPES:
            problems.append(f"{where}: bad type {typ!r}")
            continue
        types[typ] += 1

        question = q.get("question")
        if not isinstance(question, str) or not question.strip():
            problems.append(f"{where}: empty question")
            question = ""
        if question in seen_q:
            problems.append(f"{where}: duplicate question")
        seen_q.add(question)

        answers = q.get("answers")
        evidence = q.get("evidence")
        answers_all = q.get("answers_all")
        if not is_str_list(answers):
            problems.append(f"{where}: answers must be a list of non-empty strings")
            answers = []
        if not is_str_list(evidence):
            problems.append(f"{where}: evidence must be a list of non-empty strings")
            evidence = []
        if "answers_all" in q:
            if typ != "list":
                problems.append(f"{where}: answers_all only allowed for type list")
            if not is_str_list(answers_all, allow_empty=False):
                problems.append(f"{where}: answers_all must be a non-empty list of strings")
                answers_all = []
        answers_all = answers_all or []

        # history: only for followups, and well formed there
        if typ == "followup":
            h = q.get("history")
            ok = isinstance(h, list) and len(h) >= 2 and len(h) % 2 == 0
            if ok:
                for k, turn in enumerate(h):
                    want = "user" if k % 2 == 0 else "assistant"
                    if (not isinstance(turn, dict) or set(turn) != {"role", "content"}
                            or turn["role"] != want or not isinstance(turn["content"], str)
                            or not turn["content"].strip()):
                        ok = False
            if not ok:
                problems.append(f"{where}: followup needs history of alternating "
                                "{role: user|assistant, content} turns, user first, assistant last")
        elif "history" in q:
            problems.append(f"{where}: history only allowed for type followup")

        if typ == "english" and CJK.search(question):
            problems.append(f"{where}: english question contains Chinese characters")

        if typ == "unanswerable":
            if answers or evidence or answers_all:
                problems.append(f"{where}: unanswerable must have empty answers and evidence")
            continue

        # answerable questions
        if not answers and not answers_all:
            problems.append(f"{where}: answerable question without answers")
        if typ == "list" and not answers_all:
            problems.append(f"{where}: list question needs answers_all")
        if not evidence:
            problems.append(f"{where}: answerable question without evidence")
            continue
        if typ == "multi" and len(evidence) < 2:
            problems.append(f"{where}: multi needs one evidence string per fact (>= 2)")

        for e in evidence:
            if not EV_MIN <= len(e) <= EV_MAX:
                problems.append(f"{where}: evidence length {len(e)} not in "
                                f"{EV_MIN}..{EV_MAX}: {e!r}")
            if not any(e in texts[i] for i in range(FIRST, LAST + 1)):
                hit = [i for i in range(N_DOCS) if e in texts[i]]
                extra = f" (found only in reports {hit[:5]})" if hit else ""
                problems.append(f"{where}: evidence not verbatim in reports "
                                f"{FIRST}..{LAST}{extra}: {e!r}")

        holders = [i for i in range(FIRST, LAST + 1)
                   if all(e in texts[i] for e in evidence)]
        if not holders:
            if len(evidence) > 1:
                problems.append(f"{where}: evidence strings do not all occur in one report")
            continue
        for a in list(answers) + list(answers_all):
            na = norm(a)
            if not na or not any(na in normed[i] for i in holders):
                problems.append(f"{where}: answer {a!r} not found in evidence report(s) {holders[:5]}")
        primary.add(holders[0])
        covered.update(holders)

    if n == 0:
        problems.append("no questions")
    if problems:
        for p in problems:
            print("PROBLEM:", p)
        print(f"{len(problems)} problem(s) in {n} questions")
        return 1
    by_type = ", ".join(f"{t}={types[t]}" for t in sorted(types))
    print(f"OK: {n} questions ({by_type}); distinct reports covered: {len(primary)} "
          f"({len(covered)} counting near-duplicates holding the same evidence)")
    return 0


def main(argv):
    corpus = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    questions = Path(argv[2]) if len(argv) > 2 else DEFAULT_QUESTIONS
    return check(corpus, questions)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
