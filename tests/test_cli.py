"""The plain commands, run as a learner would run them."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import cli


def tutor(*args, cwd=None, input=None):
    return subprocess.run([sys.executable, "-m", "tutor", *args], cwd=cwd, input=input,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def workspace(tmp_path):
    proc = tutor("init", "my-work", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return tmp_path / "my-work"


def test_init_creates_stubs_and_never_overwrites(workspace, tmp_path, backprop):
    stub = workspace / "backprop.py"
    assert stub.read_text() == backprop.stub_path.read_text()
    stub.write_text("# my work in progress\n")
    proc = tutor("init", "my-work", cwd=tmp_path)
    assert proc.returncode == 0
    assert "kept" in proc.stdout
    assert stub.read_text() == "# my work in progress\n"


def test_check_exit_codes(workspace, backprop):
    assert tutor("check", "backprop", cwd=workspace).returncode == 1  # the stub fails
    (workspace / "backprop.py").write_text(backprop.reference_path.read_text())
    proc = tutor("check", "backprop", cwd=workspace)
    assert proc.returncode == 0, proc.stdout
    assert "8 of 8 exercises pass" in proc.stdout
    for args in (["check", "nope"], ["check", "backprop.nope"],
                 ["check", "backprop", "--file", "missing.py"]):
        proc = tutor(*args, cwd=workspace)
        assert proc.returncode == 2
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_check_outside_a_workspace_needs_the_file(tmp_path):
    proc = tutor("check", "backprop", cwd=tmp_path)
    assert proc.returncode == 2 and "tutor init" in proc.stderr


def test_stub_gets_not_implemented(workspace):
    proc = tutor("check", "backprop.relu_forward", "--json", cwd=workspace)
    doc = json.loads(proc.stdout)
    assert doc["exercises"][0]["verdict"] == "not-implemented"


def test_attempts_are_recorded_and_listed(workspace, backprop):
    tutor("check", "backprop", cwd=workspace)  # the stubs: nothing attempted yet
    (workspace / "backprop.py").write_text(backprop.reference_path.read_text())
    tutor("check", "backprop.relu_forward", cwd=workspace)
    listing = tutor("list", cwd=workspace).stdout
    assert "passed" in listing and "not tried" in listing and "not-implemented" not in listing
    progress = json.loads(tutor("progress", "--json", cwd=workspace).stdout)
    row = next(r for r in progress["lessons"] if r["lesson"] == "backprop")
    assert row["passed"] == 1 and row["attempts"] == 1
    assert len(progress["attempts"]) == 1


def test_hint_ladder_advances_and_is_recorded(workspace, backprop):
    ladder = backprop.exercise("affine_backward").hints
    seen = [tutor("hint", "backprop.affine_backward", cwd=workspace).stdout
            for _ in range(len(ladder) + 1)]
    for level in range(1, len(ladder) + 1):
        assert f"Hint {level} of {len(ladder)}" in seen[level - 1]
    assert "last hint" in seen[-1]
    assert "Mistakes often made here" in seen[-1] and "w.T" in seen[-1]
    progress = json.loads(tutor("progress", "--json", cwd=workspace).stdout)
    assert [h["level"] for h in progress["hints"]] == [*range(1, len(ladder) + 1), len(ladder)]


def test_quiz_in_the_terminal(workspace, backprop, monkeypatch):
    quiz = backprop.quiz
    monkeypatch.chdir(workspace)
    answers = []
    from tutor.quiz import LETTERS
    from tutor.store import Store

    learner = Store(workspace / ".tutor" / "progress.db").learner_id()
    for i, q in enumerate(quiz.questions):
        posed = quiz.pose(q, learner)
        if i == 0:
            answers.append("zzz")  # invalid: asked again
        if q.kind == "choice":
            answers.append(LETTERS[posed.answer] if i % 2 else LETTERS[(posed.answer + 1)
                                                                        % len(q.choices)])
        else:
            answers.append(repr(posed.answer) if i % 2 else repr(posed.answer * 3 + 1))
    result = CliRunner().invoke(cli, ["quiz", "backprop"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    right = len(quiz.questions) // 2
    assert f"{right} of {len(quiz.questions)} right" in result.output
    score = Store(workspace / ".tutor" / "progress.db").quiz_score("backprop")
    assert sum(score.values()) == right and len(score) == len(quiz.questions)
    retry = CliRunner().invoke(cli, ["quiz", "backprop", "--retry"], input="")
    assert f"question 1 of {len(quiz.questions) - right}" in retry.output


def test_help_does_not_import_numpy_or_numba():
    code = ("import sys; from tutor.cli import cli; from click.testing import CliRunner; "
            "CliRunner().invoke(cli, ['--help']); "
            "print(sorted(m for m in ('numpy', 'numba', 'textual') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_core_never_imports_textual_or_numba(backprop):
    """Every module of tutor outside the app package, imported and used, in a fresh process."""
    code = ("import pkgutil, sys, importlib, tutor\n"
            "for m in pkgutil.walk_packages(tutor.__path__, 'tutor.'):\n"
            "    if not m.name.startswith('tutor.app') and not m.name.endswith('__main__'):\n"
            "        importlib.import_module(m.name)\n"
            "from tutor.plugins import load_registry\n"
            "load_registry()\n"
            "print(sorted(m for m in ('numba', 'textual') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_dev_check_passes_for_every_installed_lesson():
    proc = subprocess.run([sys.executable, "-m", "tutor", "dev", "check"], capture_output=True,
                          text=True, timeout=600)  # nine lessons, the kernels' under the simulator
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "mutants rejected" in proc.stdout
    last = proc.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"dev check passed: \d+ lesson\(s\)", last), last


def test_dev_check_catches_a_broken_lesson(tmp_path, backprop):
    import shutil

    folder = tmp_path / "broken"
    shutil.copytree(backprop.folder, folder, ignore=shutil.ignore_patterns("__pycache__"))
    toml = (folder / "lesson.toml").read_text().replace('id = "backprop"', 'id = "broken"')
    (folder / "lesson.toml").write_text(toml)
    (folder / "stub.py").write_text(backprop.reference_path.read_text())  # stub passes
    (folder / "mutants" / "harmless.py").write_text(
        'EXERCISE = "relu_forward"\nDIAGNOSIS = "zero"\n'
        "def relu_forward(x):\n    return np.maximum(x, 0.0) + 0.0\n")
    (folder / "notes.txt").write_text("stray")
    proc = tutor("--lessons-dir", str(folder), "dev", "check", "broken")
    assert proc.returncode == 1
    out = proc.stdout
    assert "stub passes" in out
    assert "harmless" in out and "passes: the cases do not catch this bug" in out
    assert "notes.txt" in out


def test_interrupt_kills_the_learner_process(workspace, tmp_path):
    import signal
    import time

    from process_helpers import descendants, wait_gone

    (workspace / "backprop.py").write_text(
        "import time\ndef affine_forward(x, w, b):\n    time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-m", "tutor", "check", "backprop"],
                            cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    family: set[int] = set()
    deadline = time.monotonic() + 30
    while not family and time.monotonic() < deadline:  # the learner's process has started
        time.sleep(0.2)
        family = descendants(proc.pid)
    assert family, "tutor started no learner process"
    time.sleep(0.5)
    family |= descendants(proc.pid)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    assert not wait_gone(family), "a learner process outlived tutor"
    assert Path(workspace / "backprop.py").exists()


def test_run_uses_the_reference_until_every_exercise_passes(workspace, backprop):
    proc = tutor("run", "backprop", "--set", "steps=30", cwd=workspace)
    assert proc.returncode == 0, proc.stderr
    assert "with the reference" in proc.stdout and "step 30/30" in proc.stdout
    (workspace / "backprop.py").write_text(backprop.reference_path.read_text())
    assert tutor("check", "backprop", cwd=workspace).returncode == 0
    proc = tutor("run", "backprop", "--set", "steps=30", cwd=workspace)
    assert "with your functions" in proc.stdout and "step 30/30" in proc.stdout


def test_run_stops_with_a_verdict_when_the_learners_code_breaks(workspace, backprop):
    (workspace / "backprop.py").write_text(backprop.reference_path.read_text())
    assert tutor("check", "backprop", cwd=workspace).returncode == 0
    # The file changes after passing: the experiment reports the failure, no traceback.
    (workspace / "backprop.py").write_text(backprop.reference_path.read_text() + "\n"
                                           "def two_layer_net(*args):\n    raise ValueError('x')\n")
    proc = tutor("run", "backprop", "--set", "steps=5", cwd=workspace)
    assert proc.returncode == 1
    assert "two_layer_net failed (exception)" in proc.stderr and "Traceback" not in proc.stderr


def test_race_times_every_backend_and_checks_them(tmp_path):
    proc = tutor("race", "backprop.softmax_cross_entropy", "--size", "8", "--repeat", "1",
                 "--simulator", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for backend in ("numpy", "numba", "cuda"):
        assert backend in proc.stdout


def test_bad_option_values_are_one_line_usage_errors(workspace):
    for args in (["--seed", "-1"], ["--timeout", "inf"], ["--timeout", "nan"],
                 ["--timeout", "abc"], ["--timeout", "0"]):
        proc = tutor("check", "backprop", *args, cwd=workspace)
        assert proc.returncode == 2, args
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    proc = tutor("check", cwd=workspace)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_an_unusable_progress_file_never_hides_the_grade(workspace, backprop):
    import sqlite3

    db = workspace / ".tutor" / "progress.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    (workspace / "backprop.py").write_text(backprop.reference_path.read_text())
    proc = tutor("check", "backprop", "--json", cwd=workspace)
    assert proc.returncode == 0 and json.loads(proc.stdout)["passed"]
    assert "newer tutor" in proc.stderr and "Traceback" not in proc.stderr
    for args in (["list"], ["hint", "backprop.relu_forward"]):
        proc = tutor(*args, cwd=workspace)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr
    proc = tutor("progress", cwd=workspace)
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1


def test_a_locked_progress_file_is_reported_after_the_grade(workspace, backprop):
    import sqlite3

    (workspace / "backprop.py").write_text(backprop.reference_path.read_text())
    holder = sqlite3.connect(workspace / ".tutor" / "progress.db", isolation_level=None,
                             timeout=1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        proc = tutor("check", "backprop.relu_forward", "--json", cwd=workspace)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == 0 and json.loads(proc.stdout)["passed"]
    assert "progress not" in proc.stderr and "Traceback" not in proc.stderr


def test_a_closed_output_pipe_still_records_the_attempts(workspace, backprop):
    (workspace / "backprop.py").write_text(backprop.reference_path.read_text())
    # `tutor check backprop | head -1`
    proc = subprocess.Popen([sys.executable, "-m", "tutor", "check", "backprop"],
                            cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err
    progress = json.loads(tutor("progress", "--json", cwd=workspace).stdout)
    assert len(progress["attempts"]) == 8


def broken_copy(tmp_path, backprop, lesson_id="broken"):
    import shutil

    folder = tmp_path / lesson_id
    shutil.copytree(backprop.folder, folder, ignore=shutil.ignore_patterns("__pycache__"))
    toml = (folder / "lesson.toml").read_text().replace('id = "backprop"', f'id = "{lesson_id}"')
    (folder / "lesson.toml").write_text(toml)
    return folder


def test_a_broken_lesson_is_skipped_with_one_line_and_the_rest_works(tmp_path, workspace,
                                                                     backprop):
    folder = broken_copy(tmp_path, backprop)
    (folder / "lesson.toml").write_text("format = 1\nid = 'broken'\ntitle = [\n")
    proc = tutor("--lessons-dir", str(folder), "list", cwd=workspace)
    assert proc.returncode == 0 and "backprop.affine_forward" in proc.stdout
    assert "skipped a broken lesson" in proc.stderr and "Traceback" not in proc.stderr
    proc = tutor("--lessons-dir", str(folder), "dev", "check", "backprop")
    assert proc.returncode == 1 and "could not be loaded" in proc.stdout
    # backprop itself is fine, but the last line must not contradict the exit status
    last = proc.stdout.strip().splitlines()[-1]
    assert last == "dev check failed: 1 lesson(s) could not be loaded", proc.stdout


def test_broken_lesson_modules_are_reported_not_crashed(tmp_path, backprop):
    folder = broken_copy(tmp_path, backprop)
    (folder / "experiment.py").write_text("def frames(ops):\n    raise RuntimeError('x')\n")
    (folder / "fast_ops.py").write_text("raise ImportError('numba broke')\n")
    (folder / "quiz.py").write_text((folder / "quiz.py").read_text()
                                    + "\ndef mul_gate(rng):\n    raise RuntimeError('gen')\n")
    proc = tutor("--lessons-dir", str(folder), "dev", "check", "broken")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    for name in ("fast_ops", "experiment", "quiz answer keys"):
        assert re.search(rf"✗ {name}\b", proc.stdout), name
    proc = tutor("--lessons-dir", str(folder), "run", "broken", "--reference", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    proc = tutor("--lessons-dir", str(folder), "quiz", "broken", cwd=tmp_path, input="")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr


def test_run_reports_a_learner_function_that_returns_nonsense(workspace, backprop):
    (workspace / "backprop.py").write_text(backprop.reference_path.read_text())
    assert tutor("check", "backprop", cwd=workspace).returncode == 0
    (workspace / "backprop.py").write_text(backprop.reference_path.read_text()
                                           + "\ndef two_layer_net(*args):\n    return None\n")
    proc = tutor("run", "backprop", "--set", "steps=3", cwd=workspace)
    assert proc.returncode == 1 and "stopped with your functions" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bare_group_shows_help():
    for args in ([], ["dev"]):
        proc = tutor(*args)
        assert proc.returncode == 0 and "Usage:" in proc.stdout, args


def test_racing_a_kernel_without_a_gpu_says_why_and_how_to_grade(workspace):
    from tutor import accel

    if accel.select_cuda_target() == "gpu":
        pytest.skip("this machine has a GPU: the race runs")
    proc = tutor("race", "kernels.relu_kernel", cwd=workspace)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "has none" in proc.stderr and "simulator is never timed" in proc.stderr
    assert "tutor check kernels" in proc.stderr and "Traceback" not in proc.stderr
