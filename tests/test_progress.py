"""What counts as an attempt, an exercise's status, and where "continue" goes."""

import os
import subprocess
import sys

from tutor.grader import Check, ExerciseResult
from tutor.progress import OPEN, PAGE, continue_target, in_progress, lesson_progress, record_results
from tutor.store import Store


def result(exercise: str, verdict: str) -> ExerciseResult:
    return ExerciseResult(exercise, verdict, "", [Check("case", verdict)])


def tutor(*args, cwd):
    env = {**os.environ, "COLUMNS": "200"}  # `tutor list` on one line per exercise
    return subprocess.run([sys.executable, "-m", "tutor", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_function_that_still_raises_not_implemented_is_no_attempt(tmp_path):
    store = Store(tmp_path / "p.db")
    record_results(store, "backprop.py", [result("backprop.relu_forward", "not-implemented"),
                                          result("backprop.affine_forward", "wrong-value")])
    assert store.exercise_status("backprop.relu_forward").attempts == 0
    assert store.exercise_status("backprop.affine_forward").attempts == 1
    # Once it was attempted, going back to raising is news: it is recorded.
    record_results(store, "backprop.py", [result("backprop.affine_forward", "not-implemented")])
    status = store.exercise_status("backprop.affine_forward")
    assert (status.attempts, status.last_verdict) == (2, "not-implemented")


def test_continue_goes_back_to_the_exercise_in_progress(tmp_path, backprop):
    store = Store(tmp_path / "p.db")
    lessons = [backprop]
    assert in_progress(lessons, store) is None
    store.record_event(OPEN, "backprop", {"exercise": "affine_backward"})
    step = in_progress(lessons, store)
    assert (step.lesson, step.kind, step.index) == ("backprop", "exercise", 1)
    rows = [lesson_progress(backprop, store)]
    assert rows[0].next.kind == "read"  # the pages come first otherwise...
    assert continue_target(rows, {}, step) == step  # ...but the exercise open wins
    # Reading since: continue follows the reading again.
    store.record_event(PAGE, "backprop", {"page": 2, "read": False})
    assert in_progress(lessons, store) is None
    # Passing it: nothing is in progress there any more.
    store.record_event(OPEN, "backprop", {"exercise": "affine_backward"})
    store.record_attempt("backprop.affine_backward", "pass", 15, 15, 0.1, "backprop.py")
    assert in_progress(lessons, store) is None
    store.record_event(OPEN, "backprop", {"exercise": "no_such_function"})
    assert in_progress(lessons, store) is None


def test_list_shows_the_latest_verdict_and_passed_before(tmp_path, backprop):
    assert tutor("init", "w", cwd=tmp_path).returncode == 0
    work = tmp_path / "w"
    reference = backprop.reference_path.read_text()
    (work / "backprop.py").write_text(reference)
    assert tutor("check", "backprop.relu_forward", cwd=work).returncode == 0
    (work / "backprop.py").write_text(reference + "\n\ndef relu_forward(x):\n    return 2.0 * x\n")
    assert tutor("check", "backprop.relu_forward", cwd=work).returncode == 1
    listing = tutor("list", cwd=work).stdout
    line = next(line for line in listing.splitlines() if "backprop.relu_forward" in line)
    assert "wrong-value" in line and "passed before" in line and "2 attempts" in line


def test_a_file_given_with_dash_dash_file_is_recorded_as_another_file(tmp_path, backprop):
    assert tutor("init", "w", cwd=tmp_path).returncode == 0
    work = tmp_path / "w"
    (work / "scratch.py").write_text(backprop.reference_path.read_text())
    assert tutor("check", "backprop", "--file", "scratch.py", cwd=work).returncode == 0
    store = Store(work / ".tutor" / "progress.db")
    attempts = store.export()["attempts"]
    assert len(attempts) == 8 and all(a["other_file"] == 1 for a in attempts)
    assert all(a["file"] == "scratch.py" for a in attempts)
    status = store.exercise_status("backprop.relu_forward")
    assert (status.attempts, status.passed) == (0, False)  # the workspace's own: untouched
    store.close()
    # The workspace's own file, named with --file, is the workspace's own.
    (work / "backprop.py").write_text(backprop.reference_path.read_text())
    assert tutor("check", "backprop.relu_forward", "--file", "./backprop.py",
                 cwd=work).returncode == 0
    store = Store(work / ".tutor" / "progress.db")
    assert store.exercise_status("backprop.relu_forward").passed
    assert len(store.export()["attempts"]) == 9
    store.close()
