"""Nothing of the learner's process outlives tutor, however tutor ends, and learner code
cannot reach tutor's own process."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from process_helpers import cpu_seconds, descendants, wait_gone, with_marker

from tutor.sandbox import jail

TUTOR = [sys.executable, "-m", "tutor"]
JAILS = ["none"] + (["bwrap"] if jail.unavailable() is None else [])


SPIN = "def relu_forward(x):\n    while True:\n        pass\n"


@pytest.mark.parametrize("jail_mode", JAILS)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL],
                         ids=["SIGTERM", "SIGHUP", "SIGKILL"])
def test_the_learners_process_dies_with_tutor(signum, jail_mode, tmp_path):
    path = tmp_path / "spin.py"
    path.write_text(SPIN)
    env = dict(os.environ, TMPDIR=str(tmp_path))
    tutor = subprocess.Popen([*TUTOR, "check", "backprop.relu_forward", "--file", str(path),
                              "--timeout", "120", "--jail", jail_mode],
                             cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        deadline, spinning = time.monotonic() + 30, set()
        while time.monotonic() < deadline and not spinning:  # in the learner's loop, well
            time.sleep(0.1)                                 # past its start-up
            spinning = {pid for pid in descendants(tutor.pid) if cpu_seconds(pid) > 0.6}
        assert spinning, "the learner's process never started"
        family = descendants(tutor.pid)
        tutor.send_signal(signum)
        _, err = tutor.communicate(timeout=10)
        assert wait_gone(family) == set()
        if signum != signal.SIGKILL:  # cleaned up like Ctrl+C, with one line
            assert tutor.returncode == 128 + signum
            assert f"stopped by {signal.Signals(signum).name}" in err.decode()
            assert not list(tmp_path.glob("tutor-sandbox-*"))
    finally:
        tutor.kill()
        tutor.wait()


def test_scratch_left_by_a_killed_tutor_is_swept_by_the_next_run(tmp_path):
    path = tmp_path / "spin.py"
    path.write_text(SPIN)
    env = dict(os.environ, TMPDIR=str(tmp_path))
    cmd = [*TUTOR, "check", "backprop.relu_forward", "--file", str(path), "--jail", "none"]
    tutor = subprocess.Popen([*cmd, "--timeout", "60"], cwd=tmp_path, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not list(tmp_path.glob("tutor-sandbox-*")):
        time.sleep(0.1)
    left = list(tmp_path.glob("tutor-sandbox-*"))
    assert left
    time.sleep(0.5)
    tutor.kill()
    tutor.wait()
    assert all(p.exists() for p in left)
    subprocess.run([*cmd, "--timeout", "1"], cwd=tmp_path, env=env, capture_output=True)
    assert not any(p.exists() for p in left)


@pytest.mark.parametrize("jail_mode", JAILS)
def test_no_process_the_learners_code_starts_survives_grading(jail_mode, solution, grade):
    marker = f"tutor-orphan-{uuid.uuid4().hex}"
    path = solution(f"""
        import os, time
        def relu_forward(x):
            try:
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        os.execv("/bin/sleep", ["{marker}", "600"])
                    os.execv("/bin/sleep", ["{marker}", "600"])
            except OSError:
                pass  # refused: the sandbox starts threads only
            time.sleep(0.5)
            return np.maximum(x, 0)
    """)
    assert grade(path, ["relu_forward"], jail=jail_mode)["relu_forward"].passed
    assert wait_gone(set(with_marker(marker)), 5) == set()


@pytest.mark.skipif(os.geteuid() != 0, reason="tutor becomes a subreaper as root only")
def test_descendants_that_leave_the_session_are_found_and_killed(tmp_path):
    """Where the system call filter cannot be installed, root's sandbox could fork: its
    descendants that call setsid are re-parented to tutor and killed with the sandbox."""
    from tutor.sandbox import processes

    marker = f"tutor-orphan-{uuid.uuid4().hex}"
    script = (f"import os, time\nif os.fork() == 0:\n    os.setsid()\n"
              f"    if os.fork() == 0:\n        os.execv('/bin/sleep', ['{marker}', '600'])\n"
              f"    os.execv('/bin/sleep', ['{marker}', '600'])\ntime.sleep(600)\n")
    processes.harden(reap_orphans=True)
    proc = processes.popen([sys.executable, "-c", script], start_new_session=True)
    deadline = time.monotonic() + 10
    while len(set(with_marker(marker)) - {proc.pid}) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    escaped = set(with_marker(marker)) - {proc.pid}  # its own command line names it too
    assert len(escaped) == 2
    processes.kill(proc)
    assert wait_gone(escaped, 5) == set()


@pytest.mark.parametrize("jail_mode", JAILS)
def test_learner_code_cannot_write_into_tutors_output(jail_mode, tmp_path, backprop):
    forged = json.dumps({"schema": 1, "passed": True, "exercises": [], "forged": True})
    path = tmp_path / "backprop.py"
    path.write_text(backprop.reference_path.read_text() + f"""
import os
_relu = relu_forward
def relu_forward(x):
    for pid in (os.getppid(), {os.getpid()}):
        for fd in (1, 2):
            try:
                with open(f"/proc/{{pid}}/fd/{{fd}}", "w") as f:
                    f.write({forged!r})
            except OSError:
                pass
    return _relu(x)
""")
    proc = subprocess.run([*TUTOR, "check", "backprop.relu_forward", "--file", str(path),
                           "--json", "--jail", jail_mode], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    doc = json.loads(proc.stdout)  # one document, tutor's own (what the code wrote into the
    assert "forged" not in doc    # jail's init is only its own printed output)
    assert doc["passed"] and doc["exercises"][0]["exercise"] == "backprop.relu_forward"
    assert "forged" not in proc.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root is exempt from the process limit")
def test_a_process_limit_that_stops_the_sandbox_is_a_named_verdict(tmp_path, backprop):
    import resource

    path = tmp_path / "backprop.py"
    path.write_text(backprop.reference_path.read_text())
    code = ("import resource, sys\n"
            "resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))\n"
            "sys.argv = ['tutor', 'check', 'backprop.relu_forward', '--file', sys.argv[1], "
            "'--jail', 'none']\n"
            "from tutor.cli import main\nmain()\n")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")  # tutor's own NumPy starts no threads
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, timeout=60, env=env)
    assert resource.getrlimit(resource.RLIMIT_NPROC)  # untouched here
    assert "Traceback" not in proc.stderr
    assert "sandbox-error" in proc.stdout and proc.returncode == 1


@pytest.mark.parametrize("jail_mode", JAILS)
def test_learner_code_cannot_stop_or_kill_tutor(jail_mode, tmp_path, backprop):
    """Signals from the learner's process reach that process only: SIGSTOP sent to tutor (its
    parent) or to the process group fails, and tutor grades on. (Not kill(-1, ...): as root
    without the filter, that would stop every process on the machine.)"""
    path = tmp_path / "backprop.py"
    path.write_text(backprop.reference_path.read_text() + """
import os, signal, threading
_relu = relu_forward
def relu_forward(x):
    refused = 0
    for target in (os.getppid(), 0, -os.getpgid(0)):
        try:
            os.kill(target, signal.SIGSTOP)
        except PermissionError:
            refused += 1
    os.kill(os.getpid(), 0)  # its own pid: allowed
    signal.pthread_kill(threading.get_ident(), 0)  # tgkill on its own thread: allowed
    return _relu(x) + (0.0 if refused == 3 else 1.0)
""")
    # A session of its own: were SIGSTOP to reach tutor's group, it stops there, not here.
    proc = subprocess.run([*TUTOR, "check", "backprop.relu_forward", "--file", str(path),
                           "--json", "--jail", jail_mode], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, start_new_session=True)
    doc = json.loads(proc.stdout)
    assert doc["passed"], proc.stdout + proc.stderr
