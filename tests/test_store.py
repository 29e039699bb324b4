"""The progress store survives kills, refuses newer schemas, and records every event."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tutor.store import SCHEMA_VERSION, Store, StoreError


def test_records_and_reads_back(tmp_path):
    store = Store(tmp_path / "p.db")
    store.record_attempt("backprop.relu_forward", "wrong-value", 3, 5, 0.1, "backprop.py")
    store.record_attempt("backprop.relu_forward", "pass", 5, 5, 0.1, "backprop.py")
    store.record_hint("backprop.relu_forward", 1)
    store.record_hint("backprop.relu_forward", 2)
    store.record_answer("backprop", "q1", "b", False)
    store.record_answer("backprop", "q1", "c", True)
    status = store.exercise_status("backprop.relu_forward")
    assert (status.attempts, status.passed, status.last_verdict, status.hints) == (2, True,
                                                                                  "pass", 2)
    assert store.quiz_score("backprop") == {"q1": True}
    exported = store.export()
    assert len(exported["attempts"]) == 2 and exported["schema"] == SCHEMA_VERSION
    store.close()
    assert Store(tmp_path / "p.db").exercise_status("backprop.relu_forward").attempts == 2


def test_wal_mode(tmp_path):
    store = Store(tmp_path / "p.db")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_learner_id_is_stable(tmp_path):
    a = Store(tmp_path / "p.db").learner_id()
    assert a == Store(tmp_path / "p.db").learner_id()
    assert a != Store(tmp_path / "q.db").learner_id()


def test_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "p.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE future (x)")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer tutor"):
        Store(path)
    assert path.read_bytes() == before


def test_not_a_database_is_refused(tmp_path):
    path = tmp_path / "p.db"
    path.write_text("my notes, not a database" * 100)
    with pytest.raises(StoreError):
        Store(path)
    assert path.read_text().startswith("my notes")


WRITER = """
import sys
from tutor.store import Store
store = Store(sys.argv[1])
i = 0
while True:
    store.record_attempt("lesson.ex", "pass", i, i, 0.0, "f.py")
    i += 1
    print(i, flush=True)
"""


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.4])
def test_kill_at_any_moment_loses_at_most_the_event_in_flight(tmp_path, delay):
    path = tmp_path / "p.db"
    Store(path).close()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE,
                            text=True)
    time.sleep(delay + 0.3)  # let it start and write for a while
    os.kill(proc.pid, signal.SIGKILL)
    reported = [int(line) for line in proc.stdout.read().split()]
    proc.wait()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = db.execute("SELECT checks_passed FROM attempts ORDER BY id").fetchall()
    # Every event the writer saw committed is there, in order, each complete.
    assert [r[0] for r in rows] == list(range(len(rows)))
    assert len(rows) >= (reported[-1] if reported else 0)
    assert len(rows) <= (reported[-1] if reported else 0) + 1
    Store(path).close()  # and the file opens normally afterwards


def test_other_events_are_kept(tmp_path):
    store = Store(tmp_path / "p.db")
    store.record_event("page", "backprop/01-computational-graphs.md", {"position": 3})
    (event,) = store.export()["events"]
    assert event["kind"] == "page" and '"position": 3' in event["data"]


# -- a progress file tutor cannot use is named, and never replaced ---------------------------

def test_an_emptied_progress_file_is_refused_not_recreated(tmp_path):
    path = tmp_path / "p.db"
    path.write_bytes(b"")
    with pytest.raises(StoreError, match="empty") as e:
        Store(path)
    assert "\n" not in str(e.value)
    assert path.read_bytes() == b""


def test_another_programs_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "p.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE recipes (name TEXT)")
    db.execute("INSERT INTO recipes VALUES ('bread')")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a tutor progress file.*recipes"):
        Store(path)
    assert path.read_bytes() == before


def test_a_locked_database_names_the_file(tmp_path):
    path = tmp_path / "p.db"
    Store(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    store = Store(path, timeout=0.1)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked") as recording:
            store.record_hint("backprop.relu_forward", 1)
        assert str(path) in str(recording.value)
    finally:
        other.execute("ROLLBACK")


READ_ONLY = """
import sys
from tutor.store import Store
store = Store(sys.argv[1])
print("readonly", store.readonly, store.exercise_status("lesson.ex").attempts)
try:
    store.record_hint("lesson.ex", 1)
except Exception as e:
    print("refused:", e)
"""


def test_a_read_only_workspace_is_read_and_called_read_only(tmp_path):
    """Progress stays readable; recording says the file is read-only, and no -wal/-shm file
    appears. Root writes anything, so the folder is made read-only with a bind mount."""
    from tutor.sandbox import jail

    folder = tmp_path / ".tutor"
    folder.mkdir()
    store = Store(folder / "progress.db")
    store.record_attempt("lesson.ex", "pass", 1, 1, 0.1, "f.py")
    store.close()
    before = sorted(p.name for p in folder.iterdir())
    cmd = [sys.executable, "-c", READ_ONLY, str(folder / "progress.db")]
    if os.geteuid() == 0:
        bwrap = jail.bwrap_path()
        if bwrap is None or jail.unavailable():
            pytest.skip("root needs bubblewrap to make a folder read-only here")
        cmd = [bwrap, "--bind", "/", "/", "--ro-bind", str(folder), str(folder),
               "--dev", "/dev", "--proc", "/proc", *cmd]
    else:
        folder.chmod(0o555)
        (folder / "progress.db").chmod(0o444)
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    finally:
        folder.chmod(0o755)
    assert out.returncode == 0, out.stderr
    assert "readonly True 1" in out.stdout
    assert "refused:" in out.stdout and "read-only" in out.stdout
    assert sorted(p.name for p in folder.iterdir()) == before


def test_status_is_the_latest_verdict_with_passing_before_kept(tmp_path):
    store = Store(tmp_path / "p.db")
    assert store.exercise_status("backprop.relu_forward").last_verdict is None
    store.record_attempt("backprop.relu_forward", "pass", 5, 5, 0.1, "backprop.py")
    store.record_attempt("backprop.relu_forward", "wrong-value", 3, 5, 0.1, "backprop.py")
    status = store.exercise_status("backprop.relu_forward")
    assert (status.passed, status.passed_before, status.last_verdict) == (False, True,
                                                                         "wrong-value")
    assert (status.attempts, status.checks_passed, status.checks_total) == (2, 3, 5)
    store.record_attempt("backprop.relu_forward", "pass", 5, 5, 0.1, "backprop.py")
    assert store.exercise_status("backprop.relu_forward").passed


def test_attempts_on_another_file_are_kept_but_not_counted(tmp_path):
    store = Store(tmp_path / "p.db")
    store.record_attempt("backprop.relu_forward", "wrong-value", 3, 5, 0.1, "backprop.py")
    store.record_attempt("backprop.relu_forward", "pass", 5, 5, 0.1, "other.py", other_file=True)
    status = store.exercise_status("backprop.relu_forward")
    assert (status.attempts, status.passed, status.last_verdict) == (1, False, "wrong-value")
    assert [a["other_file"] for a in store.export()["attempts"]] == [0, 1]


V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE attempts (id INTEGER PRIMARY KEY, at REAL NOT NULL, exercise TEXT NOT NULL,
    verdict TEXT NOT NULL, passed INTEGER NOT NULL, checks_passed INTEGER NOT NULL,
    checks_total INTEGER NOT NULL, seconds REAL NOT NULL, file TEXT NOT NULL);
CREATE TABLE quiz_answers (id INTEGER PRIMARY KEY, at REAL NOT NULL, lesson TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, correct INTEGER NOT NULL);
CREATE TABLE hints (id INTEGER PRIMARY KEY, at REAL NOT NULL, exercise TEXT NOT NULL,
    level INTEGER NOT NULL);
CREATE TABLE events (id INTEGER PRIMARY KEY, at REAL NOT NULL, kind TEXT NOT NULL,
    subject TEXT NOT NULL, data TEXT NOT NULL);
INSERT INTO meta VALUES ('learner', 'abc');
INSERT INTO attempts VALUES (1, 1.0, 'backprop.relu_forward', 'pass', 1, 5, 5, 0.1,
    'my-work/backprop.py');
INSERT INTO attempts VALUES (2, 2.0, 'backprop.relu_forward', 'wrong-value', 0, 3, 5, 0.1,
    'scratch.py');
INSERT INTO attempts VALUES (3, 3.0, 'cnn.conv_forward', 'pass', 1, 4, 4, 0.2, 'cnn.py');
INSERT INTO quiz_answers VALUES (1, 1.5, 'backprop', 'q1', 'a', 1);
INSERT INTO hints VALUES (1, 1.6, 'backprop.relu_forward', 2);
INSERT INTO events VALUES (1, 1.7, 'page', 'backprop', '{"page": 0, "read": true}');
PRAGMA user_version = 1;
"""


def test_a_version_1_file_is_migrated_without_losing_anything(tmp_path):
    path = tmp_path / "p.db"
    db = sqlite3.connect(path)
    db.executescript(V1)
    db.close()
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    data = store.export()
    assert [(a["id"], a["verdict"], a["file"], a["other_file"]) for a in data["attempts"]] == [
        (1, "pass", "my-work/backprop.py", 0),
        (2, "wrong-value", "scratch.py", 1),  # not the lesson's file: graded with --file
        (3, "pass", "cnn.py", 0)]
    assert len(data["quiz_answers"]) == len(data["hints"]) == len(data["events"]) == 1
    assert store.learner_id() == "abc"
    status = store.exercise_status("backprop.relu_forward")
    assert (status.attempts, status.passed) == (1, True)
    store.close()
    Store(path).close()  # and it opens again as it is
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 3


def test_the_latest_event_of_some_kinds(tmp_path):
    store = Store(tmp_path / "p.db")
    assert store.latest_event(("page", "exercise")) is None
    store.record_event("exercise", "backprop", {"exercise": "relu_forward"})
    store.record_event("time", "backprop", {"seconds": 3})
    assert store.latest_event(("page", "exercise")) == ("exercise", "backprop",
                                                        {"exercise": "relu_forward"})
    store.record_event("page", "sgd", {"page": 1})
    assert store.latest_event(("page", "exercise"))[:2] == ("page", "sgd")
