"""The progress store: one SQLite file per workspace, one transaction per event.

WAL mode with synchronous=FULL: a crash or kill at any moment loses at most the event being
written and never corrupts the file. The schema version lives in ``PRAGMA user_version``;
a file written by a newer tutor is refused, never rewritten.
"""

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    exercise TEXT NOT NULL,          -- LESSON.FUNCTION
    verdict TEXT NOT NULL,           -- "pass" or what was wrong
    passed INTEGER NOT NULL,
    checks_passed INTEGER NOT NULL,
    checks_total INTEGER NOT NULL,
    seconds REAL NOT NULL,
    file TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_exercise ON attempts (exercise, at);
CREATE TABLE IF NOT EXISTS quiz_answers (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    lesson TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    correct INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS quiz_lesson ON quiz_answers (lesson, question, at);
CREATE TABLE IF NOT EXISTS hints (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    exercise TEXT NOT NULL,
    level INTEGER NOT NULL           -- 1-based rung of the ladder that was shown
);
CREATE TABLE IF NOT EXISTS events (  -- anything else worth keeping (pages read, ...)
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    data TEXT NOT NULL
);
""" + """
-- Version 2: an attempt says whether it graded another file than the workspace's own
-- (`tutor check --file`): kept, but not counted in the exercise's attempts or status.
-- From version 1, an attempt on a file not named LESSON.py is marked as one.
ALTER TABLE attempts ADD COLUMN other_file INTEGER NOT NULL DEFAULT 0;
UPDATE attempts SET other_file = 1 WHERE NOT (
    file = substr(exercise, 1, instr(exercise, '.') - 1) || '.py'
    OR file LIKE '%/' || substr(exercise, 1, instr(exercise, '.') - 1) || '.py');
"""


class StoreError(RuntimeError):
    """A progress file tutor cannot use (newer schema, not a database, ...)."""


@dataclass(frozen=True)
class ExerciseStatus:
    """Where an exercise stands, from the attempts on the workspace's own file."""

    exercise: str
    attempts: int
    passed: bool  # its latest verdict is a pass
    last_verdict: str | None
    hints: int
    passed_before: bool = False  # passed at least once (maybe failing now)
    last_at: float | None = None  # when it was last graded (seconds since the epoch)
    checks_passed: int = 0  # of the latest attempt
    checks_total: int = 0


class Store:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            version = self.db.execute("PRAGMA user_version").fetchone()[0]  # reads only
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path} is not a tutor progress file ({e})") from None
        if version > SCHEMA_VERSION:
            self.db.close()
            raise StoreError(
                f"{self.path} was written by a newer tutor (schema {version}; this one reads "
                f"up to {SCHEMA_VERSION}). Upgrade tutor; the file was left untouched.")
        try:
            if not (os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)):
                raise sqlite3.OperationalError("read-only")
            self.db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as e:  # a read-only file or folder
            self.db.close()
            raise StoreError(f"cannot write {self.path} ({e}): tutor records progress "
                             "there, so it and its folder must be writable") from None
        self.db.execute("PRAGMA synchronous=FULL")
        if version < SCHEMA_VERSION:
            with self.transaction():
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- meta -----------------------------------------------------------------------------

    def learner_id(self) -> str:
        """A random id made once per workspace: seeds each learner's quiz numbers."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'learner'").fetchone()
        if row:
            return str(row[0])
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta VALUES ('learner', ?)", (uuid.uuid4().hex,))
        return str(self.db.execute("SELECT value FROM meta WHERE key = 'learner'").fetchone()[0])

    # -- events ---------------------------------------------------------------------------

    def record_attempt(self, exercise: str, verdict: str, checks_passed: int, checks_total: int,
                       seconds: float, file: str, other_file: bool = False) -> None:
        """One grade of an exercise; ``other_file``: of a file other than the workspace's
        own (kept, but not counted in its attempts or status)."""
        with self.transaction() as db:
            db.execute("INSERT INTO attempts (at, exercise, verdict, passed, checks_passed, "
                       "checks_total, seconds, file, other_file) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (time.time(), exercise, verdict, verdict == "pass", checks_passed,
                        checks_total, seconds, file, other_file))

    def record_answer(self, lesson: str, question: str, answer: str, correct: bool) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO quiz_answers (at, lesson, question, answer, correct) "
                       "VALUES (?, ?, ?, ?, ?)", (time.time(), lesson, question, answer, correct))

    def record_hint(self, exercise: str, level: int) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO hints (at, exercise, level) VALUES (?, ?, ?)",
                       (time.time(), exercise, level))

    def record_event(self, kind: str, subject: str, data: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO events (at, kind, subject, data) VALUES (?, ?, ?, ?)",
                       (time.time(), kind, subject, json.dumps(data)))

    # -- queries --------------------------------------------------------------------------

    def hints_shown(self, exercise: str) -> int:
        row = self.db.execute("SELECT MAX(level) FROM hints WHERE exercise = ?",
                              (exercise,)).fetchone()
        return int(row[0] or 0)

    def exercise_status(self, exercise: str) -> ExerciseStatus:
        """The latest verdict on the workspace's own file, and what came before it."""
        attempts, passed = self.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(passed), 0) FROM attempts "
            "WHERE exercise = ? AND NOT other_file", (exercise,)).fetchone()
        last = self.db.execute(
            "SELECT verdict, at, checks_passed, checks_total FROM attempts "
            "WHERE exercise = ? AND NOT other_file ORDER BY at DESC, id DESC LIMIT 1",
            (exercise,)).fetchone()
        if last is None:
            return ExerciseStatus(exercise, 0, False, None, self.hints_shown(exercise))
        verdict, at, checks_passed, checks_total = last
        return ExerciseStatus(exercise, attempts, verdict == "pass", verdict,
                              self.hints_shown(exercise), bool(passed), at, checks_passed,
                              checks_total)

    def quiz_score(self, lesson: str) -> dict[str, bool]:
        """Each answered question of a lesson: whether its latest answer was right."""
        rows = self.db.execute(
            "SELECT question, correct FROM quiz_answers WHERE id IN (SELECT MAX(id) FROM "
            "quiz_answers WHERE lesson = ? GROUP BY question)", (lesson,)).fetchall()
        return {q: bool(c) for q, c in rows}

    def latest_event(self, kinds: tuple[str, ...]) -> tuple[str, str, dict[str, Any]] | None:
        """The newest event of any of these kinds, about any subject: (kind, subject, data)."""
        marks = ", ".join("?" * len(kinds))
        for kind, subject, data in self.db.execute(
                f"SELECT kind, subject, data FROM events WHERE kind IN ({marks}) "
                "ORDER BY id DESC LIMIT 20", kinds):
            try:
                value = json.loads(data)
            except ValueError:
                continue  # an unreadable event is skipped, never fatal
            if isinstance(value, dict):
                return kind, subject, value
        return None

    def events(self, kind: str, subject: str) -> list[dict[str, Any]]:
        """The data of every event of one kind about one subject, oldest first."""
        rows = self.db.execute("SELECT data FROM events WHERE kind = ? AND subject = ? "
                               "ORDER BY id", (kind, subject)).fetchall()
        out = []
        for (data,) in rows:
            try:
                value = json.loads(data)
            except ValueError:
                continue  # an unreadable event is skipped, never fatal
            if isinstance(value, dict):
                out.append(value)
        return out

    def export(self) -> dict[str, Any]:
        """Everything recorded, as plain data (for ``tutor progress --json``)."""
        out: dict[str, Any] = {"schema": SCHEMA_VERSION}
        for table in ("attempts", "quiz_answers", "hints", "events"):
            cur = self.db.execute(f"SELECT * FROM {table} ORDER BY id")
            names = [d[0] for d in cur.description]
            out[table] = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        return out
