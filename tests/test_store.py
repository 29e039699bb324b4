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
