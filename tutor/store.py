"""The progress store: one SQLite file per workspace, one transaction per event.

WAL mode with synchronous=FULL: a crash or kill at any moment loses at most the event being
written and never corrupts the file. The schema version lives in ``PRAGMA user_version``;
a file written by a newer tutor, an empty file, or another program's database is refused and
never rewritten. A file or folder tutor cannot write is opened read-only (immutable, so no
``-wal``/``-shm`` files appear beside it) and recording then fails with a message.
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
from urllib.parse import quote

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


def _reason(e: sqlite3.Error) -> str:
    text = str(e)
    if "locked" in text:
        return f"{text}: another program is using it; try again when it is done"
    return text


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
    def __init__(self, path: Path | str, timeout: float = 10.0):
        self.path = Path(path)
        existed = self.path.exists()
        if existed and self.path.stat().st_size == 0:
            raise StoreError(f"{self.path} is empty (0 bytes), so it holds no progress tutor "
                             "can read; it was left as it is: move it aside to start afresh")
        if not existed:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        writable = (os.access(self.path.parent, os.W_OK)
                    and (not existed or os.access(self.path, os.W_OK)))
        self.readonly = not writable
        if self.readonly and not existed:
            raise StoreError(f"cannot create {self.path}: its folder is read-only")
        try:
            if self.readonly:  # never leaves -wal/-shm files beside a file it cannot write
                uri = f"file:{quote(str(self.path.resolve()))}?mode=ro&immutable=1"
                self.db = sqlite3.connect(uri, uri=True, timeout=timeout,
                                          isolation_level=None)
            else:
                self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            version = self.db.execute("PRAGMA user_version").fetchone()[0]  # reads only
            tables = [row[0] for row in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
        except sqlite3.OperationalError as e:
            raise StoreError(f"cannot use {self.path}: {_reason(e)}") from None
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path} is not a tutor progress file ({_reason(e)}); it "
                             "was left untouched") from None
        if version > SCHEMA_VERSION:
            self.db.close()
            raise StoreError(
                f"{self.path} was written by a newer tutor (schema {version}; this one reads "
                f"up to {SCHEMA_VERSION}). Upgrade tutor; the file was left untouched.")
        if version == 0 and tables:
            self.db.close()
            shown = ", ".join(tables[:4]) + (", ..." if len(tables) > 4 else "")
            raise StoreError(f"{self.path} is not a tutor progress file (an SQLite database "
                             f"with other tables: {shown}); it was left untouched")
        if self.readonly:
            if version < SCHEMA_VERSION:
                self.db.close()
                raise StoreError(
                    f"{self.path} is read-only and holds no tutor progress yet" if version == 0
                    else f"{self.path} is read-only and was written by an older tutor (schema "
                    f"{version}): make it writable once, so that tutor can bring it up to date")
            return
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            if version < SCHEMA_VERSION:
                with self.transaction():
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            self.db.execute(statement)
                    self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.OperationalError as e:
            self.db.close()
            raise StoreError(f"cannot use {self.path}: {_reason(e)}") from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise sqlite3.OperationalError(f"{self.path} is read-only: not recorded")
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise sqlite3.OperationalError(f"{self.path}: {_reason(e)}") from None
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
