"""Pure functions grouping near-duplicate questions (the staff's 'most frequent' list)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence

from rag.feedback.records import QuestionEntry, QuestionGroup

MAX_WORDINGS = 5


def normalise_question(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, and without punctuation,
    symbols or spaces: '天元区的局长是谁？' and '天元区的局长是谁?' are one question."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PSZC")


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams (a one-character text is its own gram)."""
    if len(text) < 2:
        return frozenset({text}) if text else frozenset()
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


class _Cluster:
    def __init__(self, key: str, grams: frozenset[str]) -> None:
        self.key, self.grams = key, grams
        self.rows: list[QuestionEntry] = []


def _home(clusters: list[_Cluster], postings: dict[str, list[int]], grams: frozenset[str],
          threshold: float) -> _Cluster | None:
    """The first (most frequent) cluster whose seed is similar enough, found through the seeds'
    shared bigrams rather than by comparing with every cluster (5000 questions: 22 s before)."""
    shared: Counter[int] = Counter()
    for gram in grams:
        shared.update(postings.get(gram, ()))
    for at in sorted(shared):
        inter = shared[at]
        if inter / (len(clusters[at].grams) + len(grams) - inter) >= threshold:
            return clusters[at]
    return None


def _clusters(rows: Sequence[QuestionEntry], threshold: float) -> list[_Cluster]:
    by_key: dict[str, list[QuestionEntry]] = {}
    for row in rows:
        by_key.setdefault(normalise_question(row.question), []).append(row)
    clusters: list[_Cluster] = []
    postings: dict[str, list[int]] = {}  # bigram -> clusters whose seed holds it
    # Most frequent forms first, so each cluster is seeded by its commonest wording.
    for key, members in sorted(by_key.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        grams = bigrams(key)
        home = _home(clusters, postings, grams, threshold) if threshold > 0 else (
            clusters[0] if clusters else None)
        if home is None:
            home = _Cluster(key, grams)
            for gram in grams:
                postings.setdefault(gram, []).append(len(clusters))
            clusters.append(home)
        home.rows.extend(members)
    return clusters


def _group(cluster: _Cluster) -> QuestionGroup:
    rows = sorted(cluster.rows, key=lambda r: r.asked_at)
    wordings = Counter(r.question for r in rows)
    return QuestionGroup(
        key=cluster.key, example=wordings.most_common(1)[0][0], count=len(rows),
        first_seen=rows[0].asked_at, last_seen=rows[-1].asked_at,
        down_votes=sum(r.rating == "down" for r in rows), up_votes=sum(r.rating == "up" for r in rows),
        wordings=tuple(w for w, _ in wordings.most_common(MAX_WORDINGS)),
        comments=tuple(dict.fromkeys(r.comment for r in reversed(rows) if r.comment)),
        answer_ids=tuple(r.answer_id for r in reversed(rows))[:MAX_WORDINGS],
    )


def group_questions(rows: Sequence[QuestionEntry], threshold: float = 0.6) -> list[QuestionGroup]:
    """Near-duplicates together (same normalised text, or bigram Jaccard ≥ threshold with a
    group's seed), most frequent first, ties by the latest question."""
    groups = [_group(c) for c in _clusters(rows, threshold)]
    groups.sort(key=lambda g: g.last_seen, reverse=True)
    groups.sort(key=lambda g: g.count, reverse=True)
    return groups
