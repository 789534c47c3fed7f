#!/usr/bin/env python3
"""Check eval/crud/questions.jsonl against the first 300 reports of the CRUD-RAG news corpus.

Standard library only. Usage (from anywhere):

    python3 eval/crud/check.py [CORPUS.jsonl.xz] [QUESTIONS.jsonl]

Defaults: ../shared/bench/crud-news.jsonl.xz relative to the repository root, and the
questions.jsonl next to this script. Exits 1 and lists every problem if anything fails.
"""
import collections
import json
import lzma
import re
import sys
import unicodedata
from pathlib import Path

N_REPORTS = 300
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "bench" / "crud-news.jsonl.xz"
DEFAULT_QUESTIONS = HERE / "questions.jsonl"

TYPES = {"number", "what", "list", "person", "date", "how", "place", "why", "multi",
         "english", "unanswerable", "followup"}
REQUIRED = ("id", "question", "answers", "evidence", "type")
ALLOWED = set(REQUIRED) | {"answers_all", "history"}
EVIDENCE_MIN, EVIDENCE_MAX = 10, 30


def load_reports(path, n=N_REPORTS):
    reports = []
    with lzma.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if len(reports) == n:
                break
            reports.append(json.loads(line))
    if len(reports) != n:
        raise SystemExit(f"corpus {path} has only {len(reports)} reports, expected {n}")
    return reports


def norm(s):
    """NFKC, then drop all whitespace (answers are compared this way)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def is_str_list(x):
    return isinstance(x, list) and all(isinstance(i, str) and i.strip() for i in x)


def main(argv):
    corpus = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    qpath = Path(argv[2]) if len(argv) > 2 else DEFAULT_QUESTIONS
    reports = load_reports(corpus)
    # every paragraph (line) of every report: (report index, stripped line, normalized line)
    lines = []
    for ri, r in enumerate(reports):
        for ln in r["text"].split("\n"):
            ln = ln.strip()
            if ln:
                lines.append((ri, ln, norm(ln)))

    errors = []
    types = collections.Counter()
    primary = []          # lowest-index report holding each answerable question's evidence
    hit_reports = set()   # every report holding some evidence string (near-duplicates included)
    seen_ids = set()

    raw = qpath.read_text(encoding="utf-8").splitlines()
    for n, text in enumerate(raw, 1):
        where = f"line {n}"
        try:
            q = json.loads(text)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: invalid JSON ({e})")
            continue
        if not isinstance(q, dict):
            errors.append(f"{where}: not an object")
            continue
        where = f"line {n} ({q.get('id')})"
        missing = [k for k in REQUIRED if k not in q]
        extra = sorted(set(q) - ALLOWED)
        if missing:
            errors.append(f"{where}: missing fields {missing}")
            continue
        if extra:
            errors.append(f"{where}: unknown fields {extra}")
        qid, typ = q["id"], q["type"]
        if qid in seen_ids:
            errors.append(f"{where}: duplicate id")
        seen_ids.add(qid)
        if qid != f"c{n:03d}":
            errors.append(f"{where}: id out of order, expected c{n:03d}")
        if typ not in TYPES:
            errors.append(f"{where}: unknown type {typ!r}")
        types[typ] += 1
        if not isinstance(q["question"], str) or not q["question"].strip():
            errors.append(f"{where}: empty question")
        for key in ("answers", "evidence") + (("answers_all",) if "answers_all" in q else ()):
            if not isinstance(q[key], list) or not all(isinstance(i, str) and i.strip() for i in q[key]):
                errors.append(f"{where}: {key} must be a list of non-empty strings")
        if typ == "followup":
            h = q.get("history")
            if not (isinstance(h, list) and h and all(
                    isinstance(t, dict) and set(t) == {"role", "content"}
                    and t["role"] in ("user", "assistant") and isinstance(t["content"], str)
                    and t["content"].strip() for t in h)):
                errors.append(f"{where}: followup needs a history of {{role, content}} turns")
        elif "history" in q:
            errors.append(f"{where}: history only belongs to followup questions")
        if typ == "english" and re.search(r"[\u4e00-\u9fff]", q["question"]):
            errors.append(f"{where}: english question contains Chinese characters")

        if typ == "unanswerable":
            if q["answers"] or q["evidence"] or q.get("answers_all"):
                errors.append(f"{where}: unanswerable must have empty answers and evidence")
            continue

        if not is_str_list(q["answers"]) or not is_str_list(q["evidence"]):
            continue
        wanted = list(q["answers"]) + list(q.get("answers_all", []))
        if not wanted:
            errors.append(f"{where}: answerable question without answers/answers_all")
        if not q["evidence"]:
            errors.append(f"{where}: answerable question without evidence")
        if typ == "list" and len(q.get("answers_all", [])) < 2:
            errors.append(f"{where}: list question needs answers_all with 2+ items")
        if typ == "multi" and len(q["evidence"]) < 2:
            errors.append(f"{where}: multi question needs one evidence string per fact (2+)")

        gold = []   # lines holding some evidence string
        for ev in q["evidence"]:
            e = ev.strip()
            if e != ev:
                errors.append(f"{where}: evidence has leading/trailing space: {ev!r}")
            if not EVIDENCE_MIN <= len(e) <= EVIDENCE_MAX:
                errors.append(f"{where}: evidence length {len(e)} outside "
                              f"{EVIDENCE_MIN}-{EVIDENCE_MAX}: {e!r}")
            if "\n" in e:
                errors.append(f"{where}: evidence spans a newline: {e!r}")
            found = [ln for ln in lines if e in ln[1]]
            if not found:
                errors.append(f"{where}: evidence not found in any report line: {e!r}")
            gold.extend(found)
            hit_reports.update(ln[0] for ln in found)
        if gold:
            primary.append(min(ln[0] for ln in gold))
        for a in wanted:
            na = norm(a)
            if gold and not any(na in ln[2] for ln in gold):
                errors.append(f"{where}: answer {a!r} not in any evidence paragraph")

    if errors:
        print(f"FAIL: {len(errors)} problem(s) in {qpath}")
        for e in errors:
            print("  " + e)
        return 1

    total = sum(types.values())
    print(f"OK: {total} questions in {qpath.name}, checked against the first "
          f"{N_REPORTS} reports of {corpus.name}")
    print("by type: " + ", ".join(f"{t} {c}" for t, c in sorted(types.items(), key=lambda x: (-x[1], x[0]))))
    dist = collections.Counter(i // 50 for i in set(primary))
    print(f"distinct reports answering questions: {len(set(primary))} "
          f"(counting near-duplicate copies that also hold the evidence: {len(hit_reports)})")
    print("spread (reports per block of 50): " + ", ".join(
        f"{b * 50}-{b * 50 + 49}: {dist.get(b, 0)}" for b in range(N_REPORTS // 50)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
