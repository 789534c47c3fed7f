"""The question log in SQLite (WAL, one connection behind a lock). Writing never fails an answer:
a fault is logged and the answer goes out; reading for staff raises QuestionLogError."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from rag.config import QuestionLogSettings
from rag.errors import NotFoundError, QuestionLogError
from rag.feedback.group import group_questions
from rag.feedback.records import (
    Channel,
    FeedbackEntry,
    LoggedAnswer,
    QuestionEntry,
    QuestionGroup,
    Rating,
)
from rag.records import Answer

log = logging.getLogger(__name__)

FILE_NAME = "questions.sqlite3"
PRUNE_EVERY_S = 3600.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
  answer_id TEXT PRIMARY KEY, asked_at REAL NOT NULL, question TEXT NOT NULL,
  standalone TEXT NOT NULL DEFAULT '', channel TEXT NOT NULL, mode TEXT NOT NULL,
  answered INTEGER NOT NULL, cited TEXT NOT NULL, latency_ms REAL NOT NULL);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
CREATE TABLE IF NOT EXISTS feedback (
  answer_id TEXT PRIMARY KEY REFERENCES questions (answer_id) ON DELETE CASCADE,
  rated_at REAL NOT NULL, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), comment TEXT);
"""
_ROWS = """SELECT q.answer_id, q.asked_at, q.question, q.standalone, q.channel, q.mode, q.answered,
  q.cited, q.latency_ms, f.rating, f.comment FROM questions q
  LEFT JOIN feedback f ON f.answer_id = q.answer_id"""


def _bounded(n: int) -> int:
    """A LIMIT/OFFSET that SQLite's 64-bit integers hold (negative: none)."""
    return max(0, min(int(n), 2**62))


def new_answer_id() -> str:
    """A fresh, unguessable answer id (what feedback refers to)."""
    return "ans-" + uuid.uuid4().hex[:20]


def iso(ts: float) -> str:
    """A UNIX time as UTC ISO 8601 to the second."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(row: sqlite3.Row) -> QuestionEntry:
    return QuestionEntry(
        answer_id=row[0], asked_at=iso(row[1]), question=row[2], standalone_question=row[3],
        channel=row[4], mode=row[5], answered=bool(row[6]), cited=tuple(json.loads(row[7])),
        latency_ms=row[8], rating=row[9], comment=row[10])


class QuestionLog:
    """Questions, answers' feedback and their retention, in one SQLite file opened on first use."""

    def __init__(self, settings: QuestionLogSettings, index_dir: Path,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.path = settings.path or Path(index_dir) / FILE_NAME
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pruned_at = float("-inf")

    @property
    def enabled(self) -> bool:
        """Whether questions are recorded and feedback accepted."""
        return self.settings.enabled

    # --- connection -------------------------------------------------------------------------

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """The connection (opened and migrated on first use), held under the lock, committed."""
        with self._lock:
            if self._conn is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, check_same_thread=False, timeout=5.0)
                conn.execute("PRAGMA journal_mode=WAL")  # readers (the CLI) never block the server
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.executescript(SCHEMA)
                self._conn = conn
            with self._conn:
                yield self._conn

    def close(self) -> None:
        """Close the connection (it reopens on the next use)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # --- writing: never raises ------------------------------------------------------------------

    def record(self, entry: LoggedAnswer) -> bool:
        """Store one answer; False (logged, not raised) when the log is off or the write failed."""
        if not self.enabled:
            return False
        now = self._clock()
        try:
            with self._db() as db:
                db.execute("INSERT OR REPLACE INTO questions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (entry.answer_id, now, entry.question, entry.standalone_question,
                            entry.channel, entry.mode, int(entry.answered),
                            json.dumps(list(entry.cited), ensure_ascii=False), entry.latency_ms))
            if now - self._pruned_at >= PRUNE_EVERY_S:
                self.prune()
            return True
        except (sqlite3.Error, OSError) as exc:
            log.warning("question log: could not record %s in %s: %s", entry.answer_id, self.path, exc)
            return False

    def remember(self, answer: Answer, channel: Channel, latency_ms: float) -> str:
        """A new answer id for `answer`, recorded when the log is on (a failed write is logged)."""
        answer_id = new_answer_id()
        self.record(LoggedAnswer.of(answer_id, answer, channel, latency_ms))
        return answer_id

    def prune(self) -> int:
        """Delete questions (and their feedback) older than retention_days; how many went."""
        self._pruned_at = self._clock()
        if not self.settings.retention_days:
            return 0
        cutoff = self._pruned_at - self.settings.retention_days * 86_400
        try:
            with self._db() as db:
                db.execute("DELETE FROM feedback WHERE answer_id IN "
                           "(SELECT answer_id FROM questions WHERE asked_at < ?)", (cutoff,))
                return db.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount
        except (sqlite3.Error, OSError) as exc:
            log.warning("question log: could not prune %s: %s", self.path, exc)
            return 0

    # --- feedback: validated ----------------------------------------------------------------

    def rate(self, answer_id: str, rating: Rating, comment: str | None = None) -> FeedbackEntry:
        """Set the feedback of an answer (a later rating replaces it; a comment replaces the
        earlier comment). NotFoundError for an unknown answer id or while the log is off."""
        if not self.enabled:
            raise NotFoundError(f"no answer with id {answer_id!r}", hint="the question log is off")
        comment = (comment or "").strip() or None
        try:
            with self._db() as db:
                if db.execute("SELECT 1 FROM questions WHERE answer_id = ?", (answer_id,)).fetchone() is None:
                    raise NotFoundError(f"no answer with id {answer_id!r}")
                db.execute("INSERT INTO feedback VALUES (?, ?, ?, ?) ON CONFLICT (answer_id) DO UPDATE "
                           "SET rated_at = excluded.rated_at, rating = excluded.rating, "
                           "comment = COALESCE(excluded.comment, feedback.comment)",
                           (answer_id, self._clock(), rating, comment))
        except (sqlite3.Error, OSError) as exc:
            raise QuestionLogError(f"the question log {self.path} cannot be written: {exc}") from exc
        found = self.feedback(answer_id=answer_id)
        return found[0]

    # --- reading, for staff -----------------------------------------------------------------

    def _select(self, sql: str, args: tuple[object, ...]) -> list[sqlite3.Row]:
        if not self.enabled and not self.path.exists():
            return []
        try:
            with self._db() as db:
                return list(db.execute(sql, args).fetchall())
        except (sqlite3.Error, OSError) as exc:
            raise QuestionLogError(f"the question log {self.path} cannot be read: {exc}") from exc

    @staticmethod
    def _where(unanswered: bool, down_voted: bool) -> str:
        terms = (["q.answered = 0"] if unanswered else []) + (["f.rating = 'down'"] if down_voted else [])
        if unanswered and down_voted:
            return " WHERE (q.answered = 0 OR f.rating = 'down')"
        return " WHERE " + terms[0] if terms else ""

    def questions(self, *, unanswered: bool = False, down_voted: bool = False, limit: int = 50,
                  offset: int = 0) -> list[QuestionEntry]:
        """Logged questions, newest first (only refused ones / only down-voted ones; both: either)."""
        rows = self._select(_ROWS + self._where(unanswered, down_voted) +
                            " ORDER BY q.asked_at DESC, q.rowid DESC LIMIT ? OFFSET ?",
                            (_bounded(limit), _bounded(offset)))
        return [_entry(r) for r in rows]

    def count(self, *, unanswered: bool = False, down_voted: bool = False) -> int:
        """How many logged questions match."""
        rows = self._select("SELECT COUNT(*) FROM questions q LEFT JOIN feedback f "
                            "ON f.answer_id = q.answer_id" + self._where(unanswered, down_voted), ())
        return int(rows[0][0]) if rows else 0

    def groups(self, *, unanswered: bool = False, down_voted: bool = False,
               limit: int = 50) -> list[QuestionGroup]:
        """The most frequent questions (of the latest group_window that match), near-duplicates
        counted together."""
        rows = self.questions(unanswered=unanswered, down_voted=down_voted,
                              limit=self.settings.group_window)
        return group_questions(rows, self.settings.group_jaccard)[:limit]

    def feedback(self, *, rating: Rating | None = None, answer_id: str | None = None,
                 limit: int = 50, offset: int = 0) -> list[FeedbackEntry]:
        """Ratings, newest first, each with its question."""
        terms, args = [], []
        if rating:
            terms, args = ["f.rating = ?"], [rating]
        if answer_id:
            terms, args = [*terms, "f.answer_id = ?"], [*args, answer_id]
        where = " WHERE " + " AND ".join(terms) if terms else ""
        rows = self._select(
            "SELECT f.answer_id, f.rated_at, f.rating, f.comment, q.question, q.answered, q.asked_at "
            "FROM feedback f JOIN questions q ON q.answer_id = f.answer_id" + where +
            " ORDER BY f.rated_at DESC, f.rowid DESC LIMIT ? OFFSET ?",
            (*args, _bounded(limit), _bounded(offset)))
        return [FeedbackEntry(answer_id=r[0], rated_at=iso(r[1]), rating=r[2], comment=r[3],
                              question=r[4], answered=bool(r[5]), asked_at=iso(r[6])) for r in rows]
