"""`tutor grade` on a class, as an instructor runs it: every output, hostile and broken
submissions beside honest ones, the jail, the secret seed, resuming, Ctrl+C, bad input."""

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from classroom_helpers import REFERENCE, check_results_json, mutant, tutor

from tutor.sandbox import jail

JAIL = "bwrap" if jail.unavailable() is None else "none"  # what --jail auto uses here
SECRET = "correct horse battery staple"
SLEEP_MARK = f"600.{uuid.uuid4().int % 10**9:09d}"  # finds a fork bomb's leftovers

FORGED_CALL = """
import gc, sys
_main = sys.modules["__main__"]
def _forge(self, fn, args, max_bytes):
    self.reply({"status": "error", "kind": "pass", "message": "all good"})
_main.Child.call = _forge
"""

FORGED_FRAME = """
import sys
_main = sys.modules["__main__"]
_wire = sys.modules[_main.write_message.__module__]
_wire.write_message(int(sys.argv[2]), {"id": 0, "status": "ok", "value": {"t": "none"},
                                       "printed": {"text": "", "chars": 0}}, [])
"""

FORK_BOMB = f"""
import os
_first = os.getpid()
for _ in range(6):  # 64 processes, then each one but the first sleeps
    try:
        os.fork()
    except OSError:
        break
if os.getpid() != _first:
    os.execv("/bin/sleep", ["sleep", "{SLEEP_MARK}"])
"""


def write_class(root: Path) -> Path:
    root.mkdir()
    (root / "alice.py").write_text(REFERENCE)
    (root / "bob.py").write_text(mutant("affine_backward__db_mean"))
    (root / "carol").mkdir()
    (root / "carol" / "backprop.py").write_text(
        (Path(__file__).parents[1] / "lessons" / "backprop" / "stub.py").read_text())
    (root / "dan.py").write_text(REFERENCE + FORGED_CALL)
    (root / "dee.py").write_text(FORGED_FRAME + REFERENCE)
    (root / "erin.py").write_text(REFERENCE + "\nwhile True:\n    pass\n")
    (root / "fay.py").write_text(REFERENCE + "\ndef relu_forward(x):\n    import ctypes\n"
                                 "    return ctypes.string_at(0)\n")
    (root / "gus.py").write_text(REFERENCE + "\ndef affine_forward(x, w, b):\n"
                                 "    return np.ones((1 << 40,))\n")
    (root / "hal.py").write_text(FORK_BOMB + REFERENCE)
    (root / "ivy.py").write_text(REFERENCE + "\nimport os\nos._exit(3)\n")
    (root / "kim").mkdir()
    (root / "kim" / "notes.txt").write_text("forgot the code")
    with zipfile.ZipFile(root / "lee.zip", "w") as zf:
        zf.writestr("lee/backprop.py", REFERENCE)
    (root / "mia.py").write_text("# a different style, same contract\n" + REFERENCE)
    return root


ASSIGNMENT = f"""\
format = 1
lesson = "backprop"
title = "Assignment 1"
seed = "{SECRET}"
time_limit = 1.5

[[exercises]]
name = "affine_forward"
points = 2

[[exercises]]
name = "affine_backward"
points = 3
visibility = "after_due_date"

[[exercises]]
name = "relu_forward"

[[exercises]]
name = "two_layer_net"
points = 4
visibility = "hidden"
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("term")
    write_class(root / "class")
    (root / "a1.toml").write_text(ASSIGNMENT)
    started = time.monotonic()
    proc = tutor("grade", "class", "--lesson", "backprop", "--assignment", "a1.toml",
                 "--jobs", "2", cwd=root)
    return root, proc, time.monotonic() - started


def rows(root: Path) -> dict[str, dict[str, str]]:
    with open(root / "grades" / "gradebook.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_every_output_is_written(graded):
    root, proc, _ = graded
    assert proc.returncode == 0, proc.stderr
    out = root / "grades"
    assert {p.name for p in out.iterdir()} >= {"gradebook.csv", "results", "junit.xml",
                                                "summary.md"}
    students = {"alice", "bob", "carol", "dan", "dee", "erin", "fay", "gus", "hal", "ivy",
                "kim", "lee", "mia"}
    assert {p.stem for p in (out / "results").glob("*.json")} == students
    assert set(rows(root)) == students
    assert "13 submissions: 12 graded, 1 refused." in proc.stdout  # the summary, printed


def test_scores_forgeries_and_pathological_neighbours(graded):
    root, _, _ = graded
    book = rows(root)
    score = {s: float(r["score"]) for s, r in book.items()}
    # Honest files get every point, whatever ran beside them in the same batch.
    for student in ("alice", "lee", "mia"):
        assert score[student] == 10, (student, book[student])
    assert book["alice"]["max_score"] == "10"
    # Forged verdicts score nothing: only the grader decides "pass".
    assert score["dan"] == score["dee"] == 0
    assert {book["dan"][f"{e} verdict"] for e in ("affine_forward", "relu_forward")} \
        == {"protocol-error"}
    assert book["dee"]["affine_forward verdict"] == "protocol-error"
    # Real bugs and broken code get their named verdicts.
    assert book["bob"]["affine_backward verdict"] == "wrong-value" and score["bob"] == 3
    assert score["carol"] == 0 and book["carol"]["relu_forward verdict"] == "not-implemented"
    assert book["erin"]["affine_forward verdict"] == "timeout" and score["erin"] == 0
    assert book["fay"]["relu_forward verdict"] == "crash"
    assert book["fay"]["affine_forward"] == "2"
    assert book["gus"]["affine_forward verdict"] == "memory-limit"
    assert book["ivy"]["affine_forward verdict"] == "exit"
    assert book["kim"]["status"] == "refused" and "kim has no .py file" in book["kim"]["message"]
    # The fork bomb's own code is correct; what it left behind died with its sandbox.
    assert score["hal"] == 10 or book["hal"]["affine_forward verdict"] == "import-error"
    leftovers = [p for p in Path("/proc").iterdir() if p.name.isdigit()
                 and SLEEP_MARK.encode() in _cmdline(p)]
    assert leftovers == []


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""


def test_a_hang_costs_its_time_limit_and_no_more(graded):
    root, _, seconds = graded
    erin = json.loads((root / "grades" / "results" / "erin.json").read_text())
    # The file hangs while it is loaded: one time limit, then it is not loaded again.
    assert 1.5 <= erin["execution_time"] < 1.5 + 1.5
    assert seconds < 120


def test_results_are_gradescope_results_json(graded):
    root, _, _ = graded
    for path in (root / "grades" / "results").glob("*.json"):
        check_results_json(json.loads(path.read_text()))
    bob = json.loads((root / "grades" / "results" / "bob.json").read_text())
    assert bob["score"] == 3
    tests = {t["name"]: t for t in bob["tests"]}
    assert list(tests) == ["backprop.affine_forward", "backprop.affine_backward",
                           "backprop.relu_forward", "backprop.two_layer_net"]
    assert [t["max_score"] for t in tests.values()] == [2, 3, 1, 4]
    assert [t["visibility"] for t in tests.values()] == ["visible", "after_due_date",
                                                         "visible", "hidden"]
    wrong = tests["backprop.affine_backward"]
    assert wrong["status"] == "failed" and wrong["score"] == 0
    assert wrong["output"].startswith("wrong-value:")
    assert "divided by N" in wrong["output"]  # the diagnosis, for the student to read
    kim = json.loads((root / "grades" / "results" / "kim.json").read_text())
    assert kim["score"] == 0 and "kim has no .py file" in kim["output"]


def test_junit_has_a_testsuite_per_student(graded):
    root, _, _ = graded
    tree = ET.parse(root / "grades" / "junit.xml").getroot()
    suites = {s.get("name"): s for s in tree.iter("testsuite")}
    assert len(suites) == 13 and tree.get("tests") == str(13 * 4)
    alice, bob = suites["alice"], suites["bob"]
    assert [c.get("name") for c in alice.iter("testcase")] == [
        "affine_forward", "affine_backward", "relu_forward", "two_layer_net"]
    assert alice.get("failures") == "0" and alice.get("errors") == "0"
    failure = next(c for c in bob.iter("testcase")
                   if c.get("name") == "affine_backward").find("failure")
    assert failure.get("type") == "wrong-value"
    assert "diagnosis: divided-by-n" in failure.text
    assert "relative error: " in failure.text
    props = {p.get("name"): p.get("value") for p in alice.iter("property")}
    assert props["jail"] == JAIL and props["score"] == "10"
    erin = suites["erin"]
    assert erin.get("errors") == "4" and erin.find("testcase/error").get("type") == "timeout"


def test_summary_says_what_the_class_got_wrong(graded):
    root, proc, _ = graded
    text = (root / "grades" / "summary.md").read_text()
    assert text.startswith("# backprop: Assignment 1")
    assert "| affine_backward | 3 |" in text
    assert "`divided-by-n` in `db`" in text  # bob's mistake, by name and value
    trouble = text.split("## Crashed, timed out or refused", 1)[1]
    for student, what in (("dan", "protocol-error"), ("dee", "protocol-error"),
                          ("erin", "timeout"), ("fay", "crash"), ("gus", "memory-limit"),
                          ("ivy", "exit"), ("kim", "refused: kim has no .py file")):
        line = next(line for line in trouble.splitlines() if line.startswith(f"- {student} "))
        assert what in line, line
    assert "- alice " not in trouble and "- bob " not in trouble
    assert "Assignment 1" in proc.stdout and "Most common mistakes" in proc.stdout


def test_the_secret_seed_appears_in_no_output(graded):
    root, proc, _ = graded
    from tutor.classroom.assignment import Assignment
    from tutor.plugins import load_registry

    number = str(Assignment.default(load_registry().get("backprop"))
                 .with_seed(SECRET).seed_number())
    texts = [proc.stdout, proc.stderr]
    texts += [p.read_text() for p in (root / "grades").rglob("*") if p.is_file()]
    for text in texts:
        assert SECRET not in text and number not in text
    assert "secret seed" in (root / "grades" / "summary.md").read_text()


def test_the_jail_is_the_default_and_named_in_every_output(graded):
    root, _, _ = graded
    assert jail.unavailable() is not None or JAIL == "bwrap"
    assert {r["jail"] for s, r in rows(root).items() if s != "kim"} == {JAIL}
    alice = json.loads((root / "grades" / "results" / "alice.json").read_text())
    assert alice["extra_data"]["jail"] == JAIL and f"({JAIL})" in alice["output"]


def test_jail_none_must_be_asked_for_and_is_written_everywhere(tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ann.py").write_text(REFERENCE)
    proc = tutor("grade", "class", "--lesson", "backprop", "--jail", "none", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "grading without the jail (--jail none)" in proc.stderr
    out = tmp_path / "grades"
    assert rows(tmp_path)["ann"]["jail"] == "none"
    ann = json.loads((out / "results" / "ann.json").read_text())
    assert "WITHOUT the jail" in ann["output"] and ann["extra_data"]["jail"] == "none"
    assert '<property name="jail" value="none" />' in (out / "junit.xml").read_text()
    assert "WITHOUT the jail" in (out / "summary.md").read_text()
    assert "no secret seed" in proc.stderr  # and the public cases are said to be public
    assert "public cases" in (out / "summary.md").read_text()


def _hard_coded_relu(backprop) -> str:
    """relu_forward that returns the public cases' answers from a table, and zeros else."""
    from tutor.grader import cases_for, expected_for

    exercise = backprop.exercise("relu_forward")
    table = {}
    for case in cases_for(backprop, exercise, seed=0):
        (x,) = case.args
        table[x.tobytes().hex()] = (expected_for(backprop, exercise, case).tolist(), x.shape)
    return textwrap.dedent(f"""
        _TABLE = {table!r}
        def relu_forward(x):
            out, shape = _TABLE.get(x.tobytes().hex(), (None, x.shape))
            return np.zeros(shape) if out is None else np.array(out, dtype=np.float64)
    """)


def test_values_copied_from_the_public_cases_fail_on_the_secret_ones(tmp_path, backprop):
    (tmp_path / "class").mkdir()
    path = tmp_path / "class" / "copycat.py"
    path.write_text(REFERENCE + _hard_coded_relu(backprop))
    public = tutor("check", "backprop.relu_forward", "--file", str(path), cwd=tmp_path)
    assert public.returncode == 0, public.stdout  # passes the public cases
    proc = tutor("grade", "class", "--lesson", "backprop", "--seed", "s3cret", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert rows(tmp_path)["copycat"]["relu_forward verdict"] == "wrong-value"
    again = tutor("grade", "class", "--lesson", "backprop", "--out", "public", cwd=tmp_path)
    with open(tmp_path / "public" / "gradebook.csv", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["relu_forward verdict"] == "pass" and "no secret seed" in again.stderr


def test_running_again_continues_and_regrades_only_what_changed(tmp_path, backprop):
    classroom = tmp_path / "class"
    classroom.mkdir()
    for name in ("ann", "ben", "cat"):  # three copies of one backprop.py: graded once
        (classroom / name).mkdir()
        (classroom / name / "backprop.py").write_text(REFERENCE)
    first = tutor("grade", "class", "--lesson", "backprop", "--seed", "x", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert len(list((tmp_path / "grades" / ".cache").glob("*.json"))) == 1
    (classroom / "ben" / "backprop.py").write_text(mutant("affine_backward__db_mean"))
    (classroom / "dot.py").write_text(REFERENCE)
    second = tutor("grade", "class", "--lesson", "backprop", "--seed", "x", cwd=tmp_path)
    assert "2 submission(s) already graded" in second.stderr, second.stderr  # ann, cat
    book = rows(tmp_path)
    assert set(book) == {"ann", "ben", "cat", "dot"}
    assert book["ben"]["affine_backward verdict"] == "wrong-value"
    # New points: the verdicts are kept, only the scores change.
    names = [e.name for e in backprop.exercises]
    (tmp_path / "a.toml").write_text('format = 1\nseed = "x"\n' + "".join(
        f'[[exercises]]\nname = "{n}"\npoints = {7 if n == "affine_backward" else 1}\n'
        for n in names))
    third = tutor("grade", "class", "--lesson", "backprop", "--assignment", "a.toml",
                  cwd=tmp_path)
    book = rows(tmp_path)
    assert book["ann"]["score"] == "14" and book["ben"]["score"] == "6"
    assert "4 submission(s) already graded" in third.stderr


def test_ctrl_c_stops_cleanly_and_the_next_run_continues(tmp_path):
    classroom = tmp_path / "class"
    classroom.mkdir()
    mark = f"700.{uuid.uuid4().int % 10**9:09d}"
    slow = textwrap.dedent(f"""
        import os, time
        try:  # a process of its own (refused by the sandbox), which must not outlive it
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "{mark}"])
        except OSError:
            pass
        time.sleep(0.6)
    """)
    for i in range(6):  # each file takes over half a second to load
        (classroom / f"s{i}.py").write_text(f"# {i}\n{slow}\n{REFERENCE}")
    env = dict(os.environ, NO_COLOR="1")
    cmd = [sys.executable, "-m", "tutor", "grade", "class", "--lesson", "backprop",
           "--jobs", "1"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    cache = tmp_path / "grades" / ".cache"
    deadline = time.monotonic() + 120
    while not (cache.is_dir() and list(cache.glob("*.json"))):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl+C in a terminal sends
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "stopped:" in err and "run the same command again to continue" in err
    assert "Traceback" not in err
    kept = len(list(cache.glob("*.json")))
    assert 1 <= kept < 6
    time.sleep(0.5)
    running = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _sid(p) == proc.pid
               and _state(p) not in ("Z", "X")]  # a zombie has ended, awaiting init
    assert running == [], [_cmdline(p) for p in running]
    assert not [p for p in Path("/proc").iterdir() if mark.encode() in _cmdline(p)]
    assert not (tmp_path / "grades" / "gradebook.csv").exists()
    again = tutor("grade", "class", "--lesson", "backprop", cwd=tmp_path)
    assert again.returncode == 0 and f"{kept} submission(s) already graded" in again.stderr
    assert len(rows(tmp_path)) == 6


def _stat(proc: Path) -> list[str]:
    try:
        return (proc / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _sid(proc: Path) -> int | None:
    fields = _stat(proc)
    return int(fields[3]) if len(fields) > 3 else None


def _state(proc: Path) -> str:
    fields = _stat(proc)
    return fields[0] if fields else "X"


@pytest.mark.parametrize("args, files, message", [
    (["class"], {}, "no submissions in class"),
    (["nowhere"], None, "no such folder: nowhere"),
    (["class", "--assignment", "a.toml"], {"a.toml": 'format = 1\n[[exercises]]\nname = "x"\n'},
     "a.toml:3: exercise 1: lesson 'backprop' has no exercise 'x'"),
    (["class", "--assignment", "a.toml"],
     {"a.toml": 'format = 1\n[[exercises]]\nname = "relu_forward"\npoints = -2\n'},
     "a.toml:4: exercise 1: 'points' must be 0 or more, not -2"),
    (["class", "--seed", ""], {}, "--seed must not be empty"),
    (["class", "--out", "taken"], {"taken": "a file"}, "--out taken is a file"),
    (["class", "--jobs", "0"], {}, "Invalid value for '--jobs'"),
])
def test_usage_errors_exit_2_and_lose_nothing(tmp_path, args, files, message):
    if files is not None:
        (tmp_path / "class").mkdir()
        for name, text in files.items():
            (tmp_path / name).write_text(text)
    (tmp_path / "grades").mkdir()
    (tmp_path / "grades" / "gradebook.csv").write_text("kept")
    proc = tutor("grade", *args, "--lesson", "backprop", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert (tmp_path / "grades" / "gradebook.csv").read_text() == "kept"


def test_unknown_lesson_is_a_usage_error(tmp_path):
    (tmp_path / "class").mkdir()
    proc = tutor("grade", "class", "--lesson", "nope", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown lesson 'nope'" in proc.stderr


def test_grade_help_does_not_import_numpy():
    proc = subprocess.run([sys.executable, "-c", (
        "import sys; from tutor.cli import cli; from click.testing import CliRunner; "
        "CliRunner().invoke(cli, ['grade', '--help']); "
        "print('numpy' in sys.modules)")], capture_output=True, text=True)
    assert proc.stdout.strip() == "False", proc.stderr

